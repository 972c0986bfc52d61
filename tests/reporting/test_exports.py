"""JSONL exports: what a record holds, the checksum, the row in finetune_exports, the command's progress and
errors, and the admin's download that verifies the checksum first."""

import hashlib
import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assist.models import AgentReviewRecord
from assist.proposers.common import create
from reporting import exports
from reporting.models import FinetuneExport
from tests.reporting.history import loop, recent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.IHF_EXPORT_DIR = str(tmp_path / "exports")
    return Path(settings.IHF_EXPORT_DIR)


def _export(people, kind="decision_outcome", **kwargs):
    return exports.export(
        kind, hub_ids=[people.hub.pk], since=recent(365), until=timezone.now() + timedelta(days=1), **kwargs
    )


def test_a_lineage_record_holds_feedback_decision_deployments_signals_and_evaluation(people):
    candidate, decision, deployment = loop(people.hub, start=recent(40))
    loop(people.other_hub, start=recent(40))  # another hub: filtered out
    row = _export(people, actor=people.admin)
    lines = Path(row.file_path).read_bytes().splitlines()
    assert row.record_count == len(lines) == 1
    record = json.loads(lines[0])
    assert record["record_type"] == "decision_outcome" and record["hub"] == "alpha"
    assert record["decision"]["id"] == str(decision.pk) and record["decision"]["title"] == "Make Enter submit"
    assert record["feedback"]["candidate"]["id"] == str(candidate.pk)
    assert [a["body"] for a in record["feedback"]["annotations"]] == ["Enter does not submit the form"]
    [deployed] = record["deployments"]
    assert (deployed["id"], deployed["status"]) == (str(deployment.pk), "success")
    assert [s["signal_type"] for s in deployed["signals"]] == ["improved"] and deployed["evaluation"][
        "score"
    ] == 4
    data = Path(row.file_path).read_bytes()
    assert row.checksum_sha256 == hashlib.sha256(data).hexdigest() and row.size_bytes == len(data)
    assert (row.export_type, row.source_table, row.source_ids) == (
        "decision_outcome",
        "decision_records",
        [str(decision.pk)],
    )
    assert row.created_by == people.admin and row.metadata["hub_ids"] == [str(people.hub.pk)]


def test_a_proposal_trace_holds_input_proposal_confidence_and_the_persons_edit(people):
    candidate, _, _ = loop(people.hub, start=recent(10))
    proposal = create(
        proposal_type="summary",
        hub_id=people.hub.pk,
        content="Enter is ignored.",
        model_ref="m",
        confidence=0.7,
        notes={"accuracy": (1.0, "quoted")},
        source_candidate=candidate,
    )
    create(
        proposal_type="summary",
        hub_id=people.hub.pk,
        content="never reviewed",
        model_ref="m",
        confidence=0.5,
        notes={},
    )
    AgentReviewRecord.objects.create(
        proposal=proposal,
        reviewer=people.reviewer,
        decision="modified",
        modified_content={"content": "Enter ignored."},
    )
    row = _export(people, "rlhf_trace")
    [record] = [json.loads(line) for line in Path(row.file_path).read_bytes().splitlines()]
    assert record["input"]["candidate"]["id"] == str(candidate.pk)
    assert record["proposal"]["confidence_notes"] == [
        {"dimension": "accuracy", "score": 1.0, "explanation": "quoted"}
    ]
    assert record["review"]["decision"] == "modified" and record["review"]["modified"] == {
        "content": "Enter ignored."
    }


def test_text_with_quotes_backslashes_and_newlines_survives(people):
    candidate, _, _ = loop(people.hub, start=recent(10))
    from governance.models import DecisionRecord

    tricky = 'He said "no"\\ then\nleft\t\u2603'
    DecisionRecord.objects.create(
        hub=people.hub, candidate=candidate, title="t", rationale=tricky, outcome="rejected"
    )
    row = _export(people)
    rationales = [
        json.loads(line)["decision"]["rationale"] for line in Path(row.file_path).read_bytes().splitlines()
    ]
    assert tricky in rationales and row.record_count == 2


def test_the_command_reports_progress_and_refuses_bad_input(people):
    loop(people.hub, start=recent(10))
    out = StringIO()
    call_command("export_training_data", "lineage", "--hub", "alpha", stdout=out)
    assert "exporting lineage for 1 hubs" in out.getvalue() and "1 records" in out.getvalue()
    assert FinetuneExport.objects.count() == 1
    with pytest.raises(CommandError, match="--hub: no hub has the slug nope"):
        call_command("export_training_data", "lineage", "--hub", "nope")
    with pytest.raises(CommandError, match="--from: 'yesterday' is not a date"):
        call_command("export_training_data", "lineage", "--from", "yesterday")
    with pytest.raises(CommandError, match="--from must be before --to"):
        call_command("export_training_data", "lineage", "--from", "2026-02-01", "--to", "2026-01-01")
    assert FinetuneExport.objects.count() == 1


def test_the_admin_downloads_a_verified_file_and_refuses_a_changed_one(client, people):
    loop(people.hub, start=recent(10))
    row = _export(people)
    client.force_login(people.admin)
    url = reverse("admin:reporting_finetuneexport_download", args=[row.pk])
    response = client.get(url)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["X-Checksum-SHA256"] == row.checksum_sha256
    assert hashlib.sha256(body).hexdigest() == row.checksum_sha256
    Path(row.file_path).write_bytes(body.replace(b"Make Enter submit", b"Make Enter explode"))
    refused = client.get(url, follow=True)
    assert refused.status_code == 200 and "was not sent" in refused.content.decode()
    client.force_login(people.steward)  # not staff: the admin is not theirs
    assert client.get(url).status_code == 302
