"""JSONL exports (docs/exports.md): PostgreSQL builds each line (sql/exports.sql) and COPY streams them into
the file while the sha256 is computed, so memory stays flat whatever the size. The file is written under a
temporary name and renamed when complete; the row in finetune_exports is written last."""

import hashlib
import os
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from reporting.models import ExportType, FinetuneExport

FUNCTIONS = {
    ExportType.DECISION_OUTCOME: ("ihf_export_decision_outcomes", "decision_records"),
    ExportType.RLHF_TRACE: ("ihf_export_proposal_reviews", "agent_review_records"),
}
SOURCE_IDS_KEPT = 10_000
PROGRESS_EVERY = 100_000
CHUNK = 1 << 20


class ChecksumMismatch(Exception):
    pass


def export_dir() -> Path:
    path = Path(settings.IHF_EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def export(
    export_type: str,
    *,
    hub_ids: list,
    since: datetime,
    until: datetime,
    actor=None,
    log: Callable[[str], None] = lambda message: None,
) -> FinetuneExport:
    function, source_table = FUNCTIONS[export_type]
    started = time.perf_counter()
    path = export_dir() / f"{export_type}-{since:%Y%m%d}-{until:%Y%m%d}-{uuid.uuid4().hex[:8]}.jsonl"
    partial = path.with_suffix(".jsonl.part")
    digest, size, count, ids = hashlib.sha256(), 0, 0, []
    # CSV with a quote and a delimiter that JSON never contains raw: each line is the JSON text, unescaped.
    statement = sql.SQL(
        "COPY (SELECT * FROM {}({}::uuid[], {}::timestamptz, {}::timestamptz)) "
        "TO STDOUT (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
    ).format(
        sql.Identifier(function),
        sql.Literal([str(h) for h in hub_ids]),
        sql.Literal(since),
        sql.Literal(until),
    )
    with open(partial, "wb") as out, transaction.atomic(), connection.cursor() as cursor:
        # JIT compiles the export's plan for seconds before running it for a few (measured: bench/exports.py).
        cursor.execute("SET LOCAL jit = off")
        with cursor.copy(statement) as copy:
            for chunk in copy:
                data = bytes(chunk)
                out.write(data)
                digest.update(data)
                size += len(data)
                before = count
                count += data.count(b"\n")
                if count // PROGRESS_EVERY > before // PROGRESS_EVERY:
                    log(f"  {count:,} records, {size / 1e6:.1f} MB")
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    ids = _first_ids(path, SOURCE_IDS_KEPT)
    seconds = time.perf_counter() - started
    row = FinetuneExport.objects.create(
        export_type=export_type,
        source_table=source_table,
        source_ids=ids,
        file_path=str(path),
        record_count=count,
        size_bytes=size,
        checksum_sha256=digest.hexdigest(),
        created_by=actor,
        metadata={
            "hub_ids": [str(h) for h in hub_ids],
            "from": since.isoformat(),
            "to": until.isoformat(),
            "seconds": round(seconds, 2),
            "source_ids_truncated": count > SOURCE_IDS_KEPT,
            "created_by": getattr(actor, "email", None),
        },
    )
    log(f"{count:,} records, {size:,} bytes in {seconds:.1f} s: {path}")
    return row


def _first_ids(path: Path, limit: int) -> list[str]:
    """The ids of the first `limit` records (the decision's or the proposal's), read back from the file."""
    import json

    ids = []
    with open(path, "rb") as lines:
        for line in lines:
            if len(ids) == limit:
                break
            record = json.loads(line)
            ids.append(str((record.get("decision") or record.get("proposal") or {}).get("id")))
    return ids


def verified_chunks(row: FinetuneExport):
    """The file's bytes, after checking them against the stored sha256 (ChecksumMismatch when they differ,
    FileNotFoundError when the file is gone): an admin never downloads a changed export unawares."""
    digest = hashlib.sha256()
    with open(row.file_path, "rb") as source:
        while block := source.read(CHUNK):
            digest.update(block)
    if digest.hexdigest() != row.checksum_sha256:
        raise ChecksumMismatch(
            f"{row.file_path} has sha256 {digest.hexdigest()}, the export recorded {row.checksum_sha256}"
        )

    def chunks():
        with open(row.file_path, "rb") as source:
            while block := source.read(CHUNK):
                yield block

    return chunks()
