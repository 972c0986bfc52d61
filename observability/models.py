from django.conf import settings
from django.db import models
from django.utils import timezone

from hubs.models import Hub, Widget
from ihf.db import NOW, ShortTextField, user_reference, uuid_primary_key


class FrictionScore(models.Model):
    """How much a widget hurts, 0–100, recomputed set-based by ihf_recompute_friction() (docs/metrics.md)."""

    id = uuid_primary_key()
    widget = models.OneToOneField(Widget, on_delete=models.CASCADE, related_name="friction")
    score = models.IntegerField(default=0, db_default=0)
    annotation_count = models.IntegerField(default=0, db_default=0)
    error_event_count = models.IntegerField(default=0, db_default=0)
    regression_flag = models.BooleanField(default=False, db_default=False)
    stale_candidate_count = models.IntegerField(default=0, db_default=0)
    last_computed_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "friction_scores"

    def __str__(self):
        return f"{self.widget_id}: {self.score}"

    @property
    def band(self) -> str:
        return friction_band(self.score)


def friction_band(score: int) -> str:
    bands = settings.IHF_FRICTION_BANDS
    if score >= bands["red"]:
        return "red"
    if score >= bands["amber"]:
        return "amber"
    if score >= bands["yellow"]:
        return "yellow"
    return "green"


class Stage(models.TextChoices):
    CANDIDATE_UNTRIAGED = "candidate_untriaged", "Candidate not triaged"
    REQUIREMENT_UNDECIDED = "requirement_undecided", "Requirement without a decision"
    DECISION_UNDEPLOYED = "decision_undeployed", "Approved decision not deployed"
    DEPLOYMENT_UNOBSERVED = "deployment_unobserved", "Deployment without an outcome signal"


DEFAULT_THRESHOLD_DAYS = {
    Stage.CANDIDATE_UNTRIAGED: 30,
    Stage.REQUIREMENT_UNDECIDED: 60,
    Stage.DECISION_UNDEPLOYED: 30,
    Stage.DEPLOYMENT_UNOBSERVED: 14,
}


class BottleneckThreshold(models.Model):
    """A hub's own threshold for a stage (days); stages without a row use DEFAULT_THRESHOLD_DAYS."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="bottleneck_thresholds")
    stage = models.TextField(choices=Stage.choices)
    threshold_days = models.IntegerField()

    class Meta:
        db_table = "bottleneck_thresholds"
        constraints = [
            models.UniqueConstraint(fields=["hub", "stage"], name="bottleneck_thresholds_hub_stage_key"),
            models.CheckConstraint(
                condition=models.Q(threshold_days__gte=1), name="bottleneck_thresholds_positive"
            ),
        ]

    def __str__(self):
        return f"{self.hub}: {self.stage} after {self.threshold_days} days"


class BottleneckRecord(models.Model):
    """Something stalled at a stage of the chain. One open record per subject and stage (a partial unique
    index); it resolves itself when the subject moves on, or a steward resolves it with a note."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="bottlenecks", db_index=False)
    stage = models.TextField(choices=Stage.choices)
    subject_type = models.TextField()
    subject_id = models.UUIDField()
    stalled_since = models.DateTimeField()
    severity = models.TextField(default="medium", db_default="medium")
    resolved_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=NOW, editable=False)
    resolved_by = user_reference()

    class Meta:
        db_table = "bottleneck_records"
        ordering = ["-stalled_since"]
        indexes = [
            # The bottlenecks page: a hub's open records of a stage, oldest stall first, a page at a time.
            models.Index(
                fields=["hub", "stage", "stalled_since"],
                condition=models.Q(resolved_at__isnull=True),
                name="bottleneck_records_open_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()}: {self.subject_id}"

    def resolve(self, *, actor, note: str) -> bool:
        """A steward's resolution with a note; False when it was resolved already (by anyone)."""
        return bool(
            BottleneckRecord.objects.filter(pk=self.pk, resolved_at__isnull=True).update(
                resolved_at=timezone.now(), resolved_by=actor, notes=note
            )
        )


class HubHealthSnapshot(models.Model):
    """A hub's health at a moment (docs/metrics.md). Append-only: the database refuses UPDATE and DELETE."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="health_snapshots", db_index=False)
    health_score = models.IntegerField()
    open_candidates = models.IntegerField(default=0, db_default=0)
    regressed_widgets = models.IntegerField(default=0, db_default=0)
    stale_decisions = models.IntegerField(default=0, db_default=0)
    active_bottlenecks = models.IntegerField(default=0, db_default=0)
    high_friction_widgets = models.IntegerField(default=0, db_default=0)
    computed_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "hub_health_snapshots"
        ordering = ["-computed_at"]

    def __str__(self):
        return f"{self.hub_id}: {self.health_score} at {self.computed_at}"


class PropagationStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class CrossHubPropagation(models.Model):
    """A pattern seen in two or more hubs (annotation_cluster or widget_type_friction)."""

    id = uuid_primary_key()
    pattern_type = models.TextField()
    source_hub = models.ForeignKey(Hub, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    affected_hub_ids = models.JSONField(
        default=list, db_default=models.Value([], output_field=models.JSONField())
    )
    summary = models.TextField()
    detected_at = models.DateTimeField(db_default=NOW)
    status = models.TextField(choices=PropagationStatus.choices, default="open", db_default="open")
    notes = models.TextField(null=True, blank=True)
    fingerprint = ShortTextField(editable=False)
    # When a steward resolved it: detection raises the same pattern again only on evidence newer than this.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "cross_hub_propagations"
        ordering = ["-detected_at"]

    def __str__(self):
        return self.summary

    def act(self, *, actor, status: str, note: str) -> bool:
        """Acknowledge or resolve, appending a dated note; False when the propagation was resolved already."""
        now = timezone.now()
        line = f"{now:%Y-%m-%d} {actor}: {note}"
        return bool(
            CrossHubPropagation.objects.filter(pk=self.pk)
            .exclude(status=PropagationStatus.RESOLVED)
            .update(
                status=status,
                notes=f"{self.notes}\n{line}" if self.notes else line,
                resolved_at=now if status == PropagationStatus.RESOLVED else None,
            )
        )
