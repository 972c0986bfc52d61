from django.core.management.base import BaseCommand

from assist import categorise


class Command(BaseCommand):
    help = "Train the auto-categoriser on the hubs' categorised annotations (and IHF's starter set)."

    def handle(self, *args, **options):
        classifier = categorise.train(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"classifier {classifier.pk} is now used for new annotations"))
