from django.core.management.base import BaseCommand

from observability import compute


class Command(BaseCommand):
    help = "Recompute every widget's friction score (set-based, one statement)."

    def handle(self, *args, **options):
        self.stdout.write("recompute_friction …")
        run = compute.recompute_friction()
        self.stdout.write(self.style.SUCCESS(f"  {run}"))
