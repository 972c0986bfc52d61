from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError

from hubs.models import Hub
from reporting import exports
from reporting.models import ExportType

KINDS = {"lineage": ExportType.DECISION_OUTCOME, "proposals": ExportType.RLHF_TRACE}


def _date(value: str, name: str) -> datetime:
    try:
        return (
            datetime.fromisoformat(value).replace(tzinfo=UTC)
            if len(value) == 10
            else datetime.fromisoformat(value)
        )
    except ValueError as exc:
        raise CommandError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = (
        "Write a JSONL export (docs/exports.md): decision → outcome lineage records, or AI proposal → review "
        "traces, with a sha256 checksum, recorded in finetune_exports."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", choices=sorted(KINDS), help="lineage (decision_outcome) or proposals (rlhf_trace)"
        )
        parser.add_argument(
            "--hub", action="append", dest="hubs", help="a hub's slug (repeatable; default: all)"
        )
        parser.add_argument("--from", dest="since", help="first day, YYYY-MM-DD (default: a year ago)")
        parser.add_argument("--to", dest="until", help="the day after the last, YYYY-MM-DD (default: now)")

    def handle(self, *args, kind, hubs=None, since=None, until=None, **options):
        until_at = _date(until, "--to") if until else datetime.now(UTC)
        since_at = _date(since, "--from") if since else until_at - timedelta(days=365)
        if since_at >= until_at:
            raise CommandError("--from must be before --to")
        found = Hub.objects.filter(slug__in=hubs) if hubs else Hub.objects.all()
        hub_ids = list(found.values_list("pk", flat=True))
        if hubs and len(hub_ids) != len(set(hubs)):
            missing = sorted(set(hubs) - set(found.values_list("slug", flat=True)))
            raise CommandError(f"--hub: no hub has the slug {', '.join(missing)}")
        self.stdout.write(
            f"exporting {kind} for {len(hub_ids)} hubs, {since_at:%Y-%m-%d} to {until_at:%Y-%m-%d} …"
        )
        row = exports.export(
            KINDS[kind], hub_ids=hub_ids, since=since_at, until=until_at, log=self.stdout.write
        )
        self.stdout.write(self.style.SUCCESS(f"export {row.export_id}: sha256 {row.checksum_sha256}"))
