from django.core.management.base import BaseCommand

from observability import compute


class Command(BaseCommand):
    help = "Write one health snapshot per hub."

    def handle(self, *args, **options):
        self.stdout.write("snapshot_health …")
        run = compute.snapshot_health()
        self.stdout.write(self.style.SUCCESS(f"  {run}"))
