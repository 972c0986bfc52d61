from django.core.management.base import BaseCommand, CommandError

from learning import compute


class Command(BaseCommand):
    help = (
        "Run the learning recomputes (set-based, each one statement): correlations, pattern snapshots, "
        "calibrations, insights; or only the ones named. --lineage also recomputes the lineage summaries."
    )

    def add_arguments(self, parser):
        parser.add_argument("steps", nargs="*", metavar="STEP", help=", ".join(compute.STEPS))
        parser.add_argument("--lineage", action="store_true", help="enrich_lineage_on_outcome_batch() too")

    def handle(self, *args, steps, lineage, **options):
        unknown = [name for name in steps if name not in compute.STEPS]
        if unknown:
            raise CommandError(f"No step {', '.join(unknown)}: choose from {', '.join(compute.STEPS)}.")
        chosen = [compute.STEPS[name] for name in steps or compute.STEPS]
        if lineage:
            chosen.append(compute.enrich_lineage)
        for number, step in enumerate(chosen, 1):
            self.stdout.write(f"[{number}/{len(chosen)}] {step.__name__.replace('_', ' ')} …")
            run = step()
            self.stdout.write(self.style.SUCCESS(f"  {run}"))
