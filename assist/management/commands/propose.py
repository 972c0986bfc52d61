from django.core.management.base import BaseCommand, CommandError

from assist import runner
from assist.models import ProposalType
from hubs.models import Hub


class Command(BaseCommand):
    help = "Run the AI proposers over what is new (candidates, threads, accepted candidates, decisions)."

    def add_arguments(self, parser):
        parser.add_argument("--hub", help="only this hub (its slug)")
        parser.add_argument(
            "--type",
            choices=ProposalType.values,
            action="append",
            dest="types",
            help="only this proposer (repeatable)",
        )

    def handle(self, *args, hub=None, types=None, **options):
        hub_id = None
        if hub:
            found = Hub.objects.filter(slug=hub).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"--hub: no hub has the slug {hub!r}")
            hub_id = str(found)
        made = runner.run(hub_id=hub_id, types=types, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"{made} new proposals"))
