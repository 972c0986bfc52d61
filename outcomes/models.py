from django.db import models
from django.utils import timezone

from feedback.models import Annotation
from governance.models import DecisionRecord, ImplementationChangeReference
from hubs.models import Hub, Widget
from ihf.db import NOW, ShortTextField, user_reference, uuid_primary_key


class DeploymentRecord(models.Model):
    """A decision's change, deployed. Immutable (sql/outcomes_guards.sql); its lifecycle is the append-only
    series of `remediation_events` rows."""

    id = uuid_primary_key()
    impl_ref = models.ForeignKey(
        ImplementationChangeReference,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deployments",
    )
    decision = models.ForeignKey(
        DecisionRecord, on_delete=models.RESTRICT, related_name="deployments", db_index=False
    )
    version_ref = ShortTextField()
    deployed_at = models.DateTimeField(db_default=NOW)
    deployed_by = user_reference("deployed_by")
    notes = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "deployment_records"
        ordering = ["-deployed_at"]

    def __str__(self):
        return f"{self.version_ref} ({self.decision})"


class DeploymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCESS = "success", "Succeeded"
    FAILED = "failed", "Failed"
    ROLLED_BACK = "rolled_back", "Rolled back"
    DRY_RUN_OK = "dry_run_ok", "Dry run OK"
    DRY_RUN_FAILED = "dry_run_failed", "Dry run failed"


class RemediationType(models.TextChoices):
    DECLARATIVE = "declarative", "Declarative"
    IMPERATIVE = "imperative", "Imperative"
    GITOPS_PR = "gitops_pr", "GitOps pull request"
    KUBECTL = "kubectl", "kubectl"
    ANSIBLE = "ansible", "Ansible"
    HELM = "helm", "Helm"
    ARGOCD_SYNC = "argocd_sync", "Argo CD sync"


class RemediationEvent(models.Model):
    """One step of a deployment's lifecycle (seed 003's `remediation_events`): append-only; the latest row
    is the deployment's current status."""

    event_id = models.BigAutoField(primary_key=True)
    incident_id = models.TextField(null=True, blank=True)
    approval_id = models.TextField(null=True, blank=True)
    remediation_type = models.TextField(choices=RemediationType.choices, default=RemediationType.IMPERATIVE)
    action_name = models.TextField(null=True, blank=True)
    target_resource = models.TextField(null=True, blank=True)
    namespace = models.TextField(null=True, blank=True)
    dry_run = models.BooleanField(default=False, db_default=False)
    status = models.TextField(choices=DeploymentStatus.choices)
    error_message = models.TextField(null=True, blank=True)
    blast_radius_score = models.IntegerField(null=True, blank=True)
    duration_ms = models.IntegerField(null=True, blank=True)
    executed_by = models.TextField(null=True, blank=True)
    triggered_by_op_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=NOW)
    completed_at = models.DateTimeField(null=True, blank=True)
    metadata = models.JSONField(default=dict, db_default=models.Value({}, output_field=models.JSONField()))
    deployment = models.ForeignKey(DeploymentRecord, on_delete=models.RESTRICT, related_name="status_events")

    class Meta:
        db_table = "remediation_events"
        ordering = ["created_at", "event_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remediation_type__in=RemediationType.values), name="remediation_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeploymentStatus.values), name="remediation_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["deployment", "-event_id"], name="remediation_events_deploy_idx")]

    def __str__(self):
        return f"{self.deployment_id}: {self.status}"


class SignalType(models.TextChoices):
    IMPROVED = "improved", "Improved"
    REGRESSED = "regressed", "Regressed"
    NEUTRAL = "neutral", "Neutral"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


class OutcomeSignal(models.Model):
    """What a widget did after a deployment. Append-only: the seed's triggers refuse UPDATE and DELETE."""

    id = uuid_primary_key()
    widget = models.ForeignKey(
        Widget, on_delete=models.CASCADE, related_name="outcome_signals", db_index=False
    )
    deployment = models.ForeignKey(
        DeploymentRecord, on_delete=models.CASCADE, related_name="signals", db_index=False
    )
    signal_type = models.TextField(choices=SignalType.choices)
    value = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    observed_at = models.DateTimeField(db_default=NOW)
    recorded_by = user_reference()

    class Meta:
        db_table = "outcome_signals"
        ordering = ["-observed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signal_type__in=SignalType.values),
                name="outcome_signals_signal_type_check",
            ),
        ]

    def __str__(self):
        return f"{self.signal_type} on {self.widget_id}"


class ChangeEvaluation(models.Model):
    """The one evaluation of a deployment (seed's UNIQUE (deployment_id)): a 1–5 score and why."""

    id = uuid_primary_key()
    deployment = models.OneToOneField(DeploymentRecord, on_delete=models.CASCADE, related_name="evaluation")
    decision = models.ForeignKey(
        DecisionRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    score = models.SmallIntegerField()
    rationale = models.TextField()
    evaluated_by = user_reference("evaluated_by")
    evaluated_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "change_evaluations"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="change_evaluations_score_check"
            ),
        ]

    def __str__(self):
        return f"{self.score}/5 for {self.deployment_id}"


class Regression(models.Model):
    """An `improved` signal followed, within the regression window, by a high or critical annotation on the
    same widget. One row per (signal, annotation); found by outcomes.regressions.detect()."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="regressions")
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="regressions")
    signal = models.ForeignKey(OutcomeSignal, on_delete=models.CASCADE, related_name="regressions")
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="regressions")
    deployment = models.ForeignKey(DeploymentRecord, on_delete=models.CASCADE, related_name="regressions")
    detected_at = models.DateTimeField(db_default=NOW)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = user_reference()
    resolution_note = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "regressions"
        ordering = ["-detected_at"]
        indexes = [
            # A hub's open regressions newest first (the dashboard's ten, the regressions page's pages):
            # read in order instead of joining all of them to their signals before sorting (issue 21).
            models.Index(
                fields=["hub", "-detected_at", "-id"],
                condition=models.Q(resolved_at__isnull=True),
                name="regressions_open_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["signal", "annotation"], name="regressions_signal_annotation_key")
        ]

    def __str__(self):
        return f"Regression on {self.widget_id}"

    def resolve(self, *, actor, note: str) -> bool:
        """Close the regression with a note; False when someone else resolved it first."""
        return bool(
            Regression.objects.filter(pk=self.pk, resolved_at__isnull=True).update(
                resolved_at=timezone.now(), resolved_by=actor, resolution_note=note
            )
        )
