import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from feedback.models import (
    Annotation,
    AnnotationThread,
    CandidateStatus,
    RequirementCandidate,
    ReviewerAssignment,
    TriageState,
)
from governance.models import DecisionRecord, Requirement
from hubs.models import Hub, HubMembership, Widget, WidgetVersion
from hubs.services import compact_daily_event_counts
from ihf.models import User
from outcomes import regressions
from outcomes.models import ChangeEvaluation, DeploymentRecord, OutcomeSignal, RemediationEvent
from wiring import demo

EVENT_BATCH = 20_000


class Command(BaseCommand):
    help = (
        "Build the demo data set: 6 hubs, 240 widgets, 100,000 interaction events over the last 90 days, "
        "600 annotations and the users admin@, steward@, reviewer@ and viewer@ihf.local (password "
        f"'{demo.PASSWORD}'). Idempotent: a second run inserts nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--widgets-per-hub", type=int, default=40)
        parser.add_argument("--events", type=int, default=100_000)
        parser.add_argument("--annotations", type=int, default=600)
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, widgets_per_hub, events, annotations, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds demo users with a known password; it refuses to run with DEBUG off. "
                "Use --force if this really is a demo installation."
            )
        for name, value in [("--widgets-per-hub", widgets_per_hub), ("--events", events)]:
            if value < 1:
                raise CommandError(f"{name} must be at least 1.")
        if annotations < 0:
            raise CommandError("--annotations must not be negative.")
        started = time.monotonic()
        with transaction.atomic():
            users = self._users()
            hubs = self._hubs(users)
        anchor = min(hub.created_at for hub in hubs.values())
        specs = demo.build_widgets(widgets_per_hub)
        with transaction.atomic():
            self._widgets(specs, hubs)
        self._events(specs, events, anchor)
        with transaction.atomic():
            self._annotations(specs, annotations, anchor, [u.pk for u in users])
        with transaction.atomic():
            self._triage(hubs, users, anchor, annotations)
        with transaction.atomic():
            self._outcomes(users, anchor)
        # Scores, bottlenecks and patterns, as the periodic jobs would compute them. A health snapshot is
        # history (append-only), so a rerun adds one only when none exists yet.
        from observability import compute
        from observability.models import HubHealthSnapshot

        for run in (
            compute.recompute_friction(),
            compute.detect_bottlenecks(),
            compute.detect_propagations(),
        ):
            self.stdout.write(f"  {run}")
        if not HubHealthSnapshot.objects.exists():
            self.stdout.write(f"  {compute.snapshot_health()}")
        # Phase 5's proposals and categorisations, then the learning loop's past (patterns, outcomes,
        # knowledge) and its recomputes, then the surveys, which then cover every demo deployment in one run,
        # so that a second run adds nothing.
        from django.utils import timezone

        from learning import demo as learning_demo
        from wiring import demo_assist, demo_surveys

        by_email = {user.email: user for user in users}
        steward = by_email["steward@ihf.local"]
        demo_assist.seed(hubs, steward, self.stdout.write)
        for run in learning_demo.seed(
            list(hubs.values()), timezone.now(), by_email["reviewer@ihf.local"], steward
        ):
            self.stdout.write(f"  {run}")
        demo_surveys.seed(hubs, steward, self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s."))

    def _report(self, label, total, created):
        self.stdout.write(f"  {label:<16} {total:>8,} in the demo set, {created:>8,} new")

    def _users(self):
        users, created = [], 0
        for email, name, superuser, _role in demo.USERS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                factory = User.objects.create_superuser if superuser else User.objects.create_user
                user = factory(email, demo.PASSWORD, name=name)
                created += 1
            users.append(user)
        self._report("users", len(users), created)
        return users

    def _hubs(self, users):
        existing = {hub.slug: hub for hub in Hub.objects.filter(slug__in=[h[0] for h in demo.HUBS])}
        new = [
            Hub(id=demo.demo_id("hub", slug), slug=slug, name=name, domain=domain)
            for slug, name, domain, _nouns in demo.HUBS
            if slug not in existing
        ]
        for hub in Hub.objects.bulk_create(new):
            existing[hub.slug] = hub
        self._report("hubs", len(existing), len(new))
        roles = {email: role for email, _n, _s, role in demo.USERS}
        memberships = [
            HubMembership(hub=hub, user=user, role=roles[user.email])
            for hub in existing.values()
            for user in users
            if roles[user.email]
        ]
        before = HubMembership.objects.filter(hub__in=existing.values()).count()
        HubMembership.objects.bulk_create(memberships, ignore_conflicts=True)
        after = HubMembership.objects.filter(hub__in=existing.values()).count()
        self._report("memberships", len(memberships), after - before)
        return existing

    def _widgets(self, specs, hubs):
        ids = [spec.id for spec in specs]
        before = Widget.objects.filter(pk__in=ids).count()
        # bulk_create skips Widget.save(), so the version rows are written here, in the same transaction.
        Widget.objects.bulk_create(
            [
                Widget(
                    id=spec.id,
                    hub=hubs[spec.hub_slug],
                    version=len(spec.history),
                    **{field: spec.history[-1][field] for field in Widget.GOVERNED_FIELDS},
                )
                for spec in specs
            ],
            ignore_conflicts=True,
        )
        self._report("widgets", len(specs), Widget.objects.filter(pk__in=ids).count() - before)
        versions = [
            WidgetVersion(
                id=demo.demo_id("widget-version", spec.id, n),
                widget_id=spec.id,
                version=n,
                schema_snapshot=snapshot,
            )
            for spec in specs
            for n, snapshot in enumerate(spec.history, start=1)
        ]
        before = WidgetVersion.objects.filter(widget_id__in=ids).count()
        WidgetVersion.objects.bulk_create(versions, ignore_conflicts=True)
        after = WidgetVersion.objects.filter(widget_id__in=ids).count()
        self._report("widget versions", len(versions), after - before)

    def _events(self, specs, count, anchor):
        """COPY into a temporary table, then one INSERT … ON CONFLICT DO NOTHING per batch: as fast as COPY,
        and rows that a previous run stored are skipped rather than doubled."""
        rows = demo.generate_events(specs, count, anchor)
        inserted = 0
        for start in range(0, count, EVENT_BATCH):
            size = min(EVENT_BATCH, count - start)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMPORARY TABLE demo_events (LIKE interaction_events INCLUDING DEFAULTS)"
                )
                with cursor.copy(
                    "COPY demo_events (id, widget_id, event_type, actor_id, actor_type, view_context_ref, "
                    "metadata, occurred_at) FROM STDIN"
                ) as copy:
                    for _ in range(size):
                        copy.write_row(next(rows))
                cursor.execute(
                    "INSERT INTO interaction_events (id, widget_id, event_type, actor_id, actor_type, "
                    "view_context_ref, metadata, occurred_at) "
                    "SELECT id, widget_id, event_type, actor_id, actor_type, view_context_ref, metadata, "
                    "occurred_at FROM demo_events ORDER BY id ON CONFLICT (id) DO NOTHING"
                )
                inserted += cursor.rowcount
                cursor.execute("DROP TABLE demo_events")
            self.stdout.write(f"    events {start + size:>8,} / {count:,}")
        self._report("events", count, inserted)
        # Each batch appended partial daily counts; fold them now rather than at the worker's next minute.
        compact_daily_event_counts()

    def _annotations(self, specs, count, anchor, user_ids):
        rows = [Annotation(**row) for row in demo.generate_annotations(specs, count, anchor, user_ids)]
        ids = [row.id for row in rows]
        before = Annotation.objects.filter(pk__in=ids).count()
        Annotation.objects.bulk_create(rows, ignore_conflicts=True)
        self._report("annotations", count, Annotation.objects.filter(pk__in=ids).count() - before)

    def _triage(self, hubs, users, anchor, annotation_count):
        """Threads, requirement candidates in every status, their triage history and reviewers."""
        by_email = {user.email: user for user in users}
        plan = demo.build_triage(
            hubs={slug: hub.pk for slug, hub in hubs.items()},
            annotations=list(
                # Only the generated annotations: the plan must not change when later steps add more.
                Annotation.objects.filter(
                    pk__in=[demo.demo_id("annotation", n) for n in range(annotation_count)],
                    widget__hub__in=hubs.values(),
                    retracted_at__isnull=True,
                )
                .order_by("id")
                .values("id", "widget_id", "widget__hub__slug", "body", "category", "severity", "created_at")
            ),
            anchor=anchor,
            steward=by_email["steward@ihf.local"].pk,
            reviewer=by_email["reviewer@ihf.local"].pk,
        )
        before = {
            "threads": AnnotationThread.objects.filter(pk__in=[t["id"] for t in plan["threads"]]).count(),
            "candidates": RequirementCandidate.objects.filter(
                pk__in=[c["id"] for c in plan["candidates"]]
            ).count(),
        }
        AnnotationThread.objects.bulk_create(
            [AnnotationThread(**t) for t in plan["threads"]], ignore_conflicts=True
        )
        for thread_id, annotation_ids in plan["thread_members"].items():
            # Only thread moves: the annotations trigger allows exactly this change.
            Annotation.objects.filter(pk__in=annotation_ids, thread__isnull=True).update(thread_id=thread_id)
        originals = [c for c in plan["candidates"] if not c.get("duplicate_of_id")]
        duplicates = [c for c in plan["candidates"] if c.get("duplicate_of_id")]
        for batch in (originals, duplicates):
            RequirementCandidate.objects.bulk_create(
                [RequirementCandidate(**c) for c in batch], ignore_conflicts=True
            )
        TriageState.objects.bulk_create([TriageState(**h) for h in plan["history"]], ignore_conflicts=True)
        ReviewerAssignment.objects.bulk_create(
            [ReviewerAssignment(**a) for a in plan["assignments"]], ignore_conflicts=True
        )
        self._report(
            "threads",
            len(plan["threads"]),
            AnnotationThread.objects.filter(pk__in=[t["id"] for t in plan["threads"]]).count()
            - before["threads"],
        )
        self._report(
            "candidates",
            len(plan["candidates"]),
            RequirementCandidate.objects.filter(pk__in=[c["id"] for c in plan["candidates"]]).count()
            - before["candidates"],
        )

    def _outcomes(self, users, anchor):
        """Requirements, decisions, deployments with status events, signals, an evaluation, a regression."""
        by_email = {user.email: user for user in users}
        accepted = RequirementCandidate.objects.filter(
            status=CandidateStatus.ACCEPTED,
            pk__in=[
                demo.demo_id("candidate", h[0], n)
                for h in demo.HUBS
                for n in range(len(demo.CANDIDATE_STATUSES))
            ],
        ).values("id", "title", "description", "source_widget_id", "source_widget__hub_id")
        plan = demo.build_outcomes(
            candidates=[{**c, "hub_id": c.pop("source_widget__hub_id")} for c in accepted],
            anchor=anchor,
            steward=by_email["steward@ihf.local"].pk,
            reviewer=by_email["reviewer@ihf.local"].pk,
        )
        deployment_ids = [d["id"] for d in plan["deployments"]]
        existing = set(DeploymentRecord.objects.filter(pk__in=deployment_ids).values_list("pk", flat=True))
        Requirement.objects.bulk_create(
            [Requirement(**r) for r in plan["requirements"]], ignore_conflicts=True
        )
        for candidate_id, requirement_id in plan["promotions"]:
            RequirementCandidate.objects.filter(pk=candidate_id, requirement_id__isnull=True).update(
                requirement_id=requirement_id
            )
        DecisionRecord.objects.bulk_create(
            [DecisionRecord(**d) for d in plan["decisions"]], ignore_conflicts=True
        )
        DeploymentRecord.objects.bulk_create(
            [DeploymentRecord(**d) for d in plan["deployments"]], ignore_conflicts=True
        )
        # Status events have serial keys, so only the deployments created just now get theirs.
        RemediationEvent.objects.bulk_create(
            [RemediationEvent(**e) for e in plan["events"] if e["deployment_id"] not in existing]
        )
        OutcomeSignal.objects.bulk_create(
            [OutcomeSignal(**s) for s in plan["signals"]], ignore_conflicts=True
        )
        ChangeEvaluation.objects.bulk_create(
            [ChangeEvaluation(**e) for e in plan["evaluations"]], ignore_conflicts=True
        )
        Annotation.objects.bulk_create([Annotation(**a) for a in plan["annotations"]], ignore_conflicts=True)
        found = regressions.detect()
        self._report("deployments", len(deployment_ids), len(set(deployment_ids) - existing))
        self._report("regressions", len(plan["annotations"]), len(found))
