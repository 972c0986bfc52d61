from django.core.management.base import BaseCommand

from observability import compute


class Command(BaseCommand):
    help = "Detect patterns that appear in two or more hubs."

    def handle(self, *args, **options):
        self.stdout.write("detect_propagations …")
        run = compute.detect_propagations()
        self.stdout.write(self.style.SUCCESS(f"  {run}"))
