import time

from django.core.management.base import BaseCommand

from assist import embeddings
from assist.models import SubjectType


class Command(BaseCommand):
    help = (
        "Embed every annotation, candidate, thread and decision without a current vector (a new model or a "
        "changed text). Resumable: stop it any time; the next run starts where it left off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--type", choices=SubjectType.values, action="append", dest="types")
        parser.add_argument("--batch", type=int, default=256)

    def handle(self, *args, types=None, batch=256, **options):
        for subject_type in types or SubjectType.values:
            todo = embeddings.count_stale(subject_type)
            self.stdout.write(f"{subject_type}s: {todo} to embed")
            done, started = 0, time.perf_counter()
            for count in embeddings.embed_stale(subject_type, batch=batch):
                done += count
                rate = done / max(time.perf_counter() - started, 1e-6)
                self.stdout.write(f"  {done} of {todo} ({rate:.0f}/s)")
        self.stdout.write(self.style.SUCCESS("embeddings are current"))
