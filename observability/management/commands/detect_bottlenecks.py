from django.core.management.base import BaseCommand

from observability import compute


class Command(BaseCommand):
    help = "Open, re-rate and resolve bottleneck records for every hub."

    def handle(self, *args, **options):
        self.stdout.write("detect_bottlenecks …")
        run = compute.detect_bottlenecks()
        self.stdout.write(self.style.SUCCESS(f"  {run}"))
