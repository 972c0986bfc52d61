from django.core.management.base import BaseCommand, CommandError

from hubs import keys, services
from hubs.models import Hub


class Command(BaseCommand):
    help = "Create an API key for a hub and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("--hub", required=True, help="the hub's slug")
        parser.add_argument("--scope", required=True, choices=keys.SCOPES)
        parser.add_argument("--name", default="", help="a label to recognise the key by")
        parser.add_argument(
            "--rate-limit", type=int, default=None, help="requests per minute (default: setting)"
        )

    def handle(self, *args, hub, scope, name, rate_limit, **options):
        target = Hub.objects.filter(slug=hub).first()
        if target is None:
            raise CommandError(f"--hub: no hub has the slug {hub!r}.")
        if rate_limit is not None and rate_limit < 1:
            raise CommandError("--rate-limit: must be at least 1 request per minute.")
        key, raw = services.api_key_create(
            hub=target, scope=scope, name=name, rate_limit_per_minute=rate_limit
        )
        self.stderr.write(f"Created a {scope} key for {target.name} ({key.prefix}…). It is shown only now:")
        self.stdout.write(raw)
