from django.conf import settings
from django.db import models
from django.utils import timezone

from feedback.models.annotations import Annotation, AnnotationThread, Category
from hubs.models import Widget
from ihf.db import NOW, ShortTextField, user_reference, uuid_primary_key


class CandidateStatus(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_REVIEW = "under_review", "Under review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    DEFERRED = "deferred", "Deferred"
    DUPLICATE = "duplicate", "Duplicate"


# The triage workflow: which statuses a candidate may move to from each status.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CandidateStatus.OPEN: (CandidateStatus.UNDER_REVIEW, CandidateStatus.DUPLICATE),
    CandidateStatus.UNDER_REVIEW: (
        CandidateStatus.ACCEPTED,
        CandidateStatus.REJECTED,
        CandidateStatus.DEFERRED,
        CandidateStatus.DUPLICATE,
    ),
    CandidateStatus.DEFERRED: (CandidateStatus.OPEN,),
    CandidateStatus.ACCEPTED: (),
    CandidateStatus.REJECTED: (),
    CandidateStatus.DUPLICATE: (),
}


class CandidateQuerySet(models.QuerySet):
    def for_hub(self, hub):
        return self.filter(hub=hub)


class RequirementCandidate(models.Model):
    """A piece of feedback escalated for triage: it may become a requirement."""

    id = uuid_primary_key()
    title = ShortTextField()
    description = models.TextField()
    source_widget = models.ForeignKey(
        Widget, on_delete=models.RESTRICT, related_name="candidates", db_index=False
    )
    # The widget's hub, set by the database (trg_candidate_hub, sql/candidate_hub.sql) on every insert and
    # NOT NULL there; null here only because Django inserts before the trigger fills it in. A hub's board
    # reads its candidates by it (issue 21). Never written by the app.
    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.RESTRICT, null=True, editable=False, related_name="+", db_index=False
    )
    # The worst open annotation behind the candidate, 0 (none) … 4 (critical), computed by the database
    # (trg_candidate_worst_severity and the annotations' trigger, sql/candidate_worst_severity.sql): the
    # board filters and sorts a busy hub's candidates by it through an index. Never written by the app.
    worst_severity_rank = models.SmallIntegerField(default=0, editable=False)
    source_thread = models.ForeignKey(
        AnnotationThread, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    source_annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    category = models.TextField(choices=Category.choices, default=Category.FRICTION, db_default="friction")
    status = models.TextField(
        choices=CandidateStatus.choices, default=CandidateStatus.OPEN, db_default="open"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    created_by = user_reference("created_by")
    created_at = models.DateTimeField(db_default=NOW, editable=False)
    # The requirement this candidate was promoted to (seed: requirement_candidates.requirement_id). A plain
    # column here, because requirements belong to a later stage; governance's migration adds the foreign key.
    requirement_id = models.UUIDField(null=True, blank=True, editable=False)
    # Kept current by trg_enrich_lineage (seed 002): what this candidate's decisions' deployments showed.
    outcome_summary = models.JSONField(null=True, blank=True, editable=False)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        db_table = "requirement_candidates"
        ordering = ["-created_at"]
        # The seed's indexes (names longer than Django allows) are created by sql/phase2_indexes.sql.
        indexes = [
            # The dashboard's recurrence leaderboard: a hub's candidates that have outcome signals.
            models.Index(
                fields=["source_widget"],
                condition=models.Q(outcome_summary__isnull=False),
                name="candidates_observed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CandidateStatus.values),
                name="requirement_candidates_status_check",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="duplicate") | models.Q(duplicate_of__isnull=False),
                name="requirement_candidates_duplicate_names_original",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def allowed_transitions(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]


class TriageKind(models.TextChoices):
    TRANSITION = "transition", "Status change"
    ASSIGNMENT = "assignment", "Assignment"


class TriageState(models.Model):
    """Append-only history of a candidate: every status change and every (re)assignment."""

    id = uuid_primary_key()
    candidate = models.ForeignKey(
        RequirementCandidate, on_delete=models.CASCADE, related_name="history", db_index=False
    )
    status = models.TextField(choices=CandidateStatus.choices)
    notes = models.TextField(null=True, blank=True)
    changed_by = user_reference("changed_by")
    # Set by Python on ORM inserts so that several rows written in one transaction keep their order
    # (now() is the same for the whole transaction); raw inserts still get the seed's DEFAULT now().
    changed_at = models.DateTimeField(default=timezone.now, db_default=NOW, editable=False)
    kind = models.TextField(
        choices=TriageKind.choices, default=TriageKind.TRANSITION, db_default="transition"
    )
    assigned_to = user_reference()

    class Meta:
        db_table = "triage_states"
        ordering = ["changed_at"]
        indexes = [models.Index(fields=["candidate"], name="triage_states_candidate_id_idx")]

    def __str__(self):
        return f"{self.candidate_id}: {self.status}"


class ReviewerAssignment(models.Model):
    """The one reviewer of a candidate (the seed's UNIQUE (candidate_id))."""

    id = uuid_primary_key()
    candidate = models.OneToOneField(
        RequirementCandidate, on_delete=models.CASCADE, related_name="assignment"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    assigned_by = user_reference("assigned_by")
    assigned_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "reviewer_assignments"

    def __str__(self):
        return f"{self.user} reviews {self.candidate_id}"
