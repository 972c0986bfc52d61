"""Phase 12 (seed 002): what the loop's history teaches, kept as data. Correlations, pattern snapshots and
decided calibrations are history: a recompute adds rows, the database refuses to rewrite them
(sql/learning.sql). The formulas are in docs/metrics.md, "Learning"."""

from django.db import models

from governance.models import DecisionRecord
from hubs.models import Hub
from ihf.db import NOW, ShortTextField, user_reference, uuid_primary_key


class CorrelationType(models.TextChoices):
    ANNOTATION_CATEGORY = "annotation_category", "Feedback category"
    ANNOTATION_SEVERITY = "annotation_severity", "Feedback severity"
    WIDGET_TYPE = "widget_type", "Widget type"
    HUB = "hub", "Hub"
    DECISION_OUTCOME = "decision_outcome", "Decision outcome"


class OutcomeCorrelation(models.Model):
    """How the signals after deployments split for one value of one factor, against the rest of the hub
    (for `hub`: against every other hub). Computed set-based by ihf_compute_outcome_correlations()."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="outcome_correlations")
    correlation_type = models.TextField(choices=CorrelationType.choices)
    factor_value = ShortTextField()
    signals = models.IntegerField()
    improved = models.IntegerField()
    regressed = models.IntegerField()
    neutral = models.IntegerField()
    inconclusive = models.IntegerField()
    baseline_signals = models.IntegerField()
    baseline_regressed = models.IntegerField()
    regression_rate = models.FloatField()
    baseline_rate = models.FloatField(null=True)
    effect_size = models.FloatField(null=True)
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    run_id = models.UUIDField()
    computed_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "outcome_correlations"
        ordering = ["-computed_at", "correlation_type", "factor_value"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(correlation_type__in=CorrelationType.values),
                name="outcome_correlations_correlation_type_check",
            ),
        ]
        indexes = [models.Index(fields=["hub", "-computed_at"], name="outcome_corr_hub_time_idx")]

    def __str__(self):
        return f"{self.correlation_type}={self.factor_value}: {self.regression_rate:.2f}"


class PatternPerformanceRecord(models.Model):
    """A dated snapshot of one pattern's figures in one hub, copied from the pattern_analytics view."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="pattern_performance")
    pattern = ShortTextField()
    deployments = models.IntegerField()
    observed_deployments = models.IntegerField()
    successes = models.IntegerField()
    regressions = models.IntegerField()
    success_rate = models.FloatField(null=True)
    mean_evaluation_score = models.FloatField(null=True)
    mean_hours_to_first_signal = models.FloatField(null=True)
    deployments_last_7_days = models.IntegerField()
    deployments_last_30_days = models.IntegerField()
    snapshot_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "pattern_performance_records"
        ordering = ["-snapshot_at", "pattern"]
        indexes = [models.Index(fields=["hub", "pattern", "-snapshot_at"], name="pattern_perf_hub_time_idx")]

    def __str__(self):
        return f"{self.pattern} @ {self.snapshot_at:%Y-%m-%d}"


class ConfigType(models.TextChoices):
    FRICTION_WEIGHTS = "friction_weights", "Friction weights"
    BOTTLENECK_THRESHOLD = "bottleneck_threshold", "Bottleneck threshold"


class CalibrationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPLIED = "applied", "Applied"
    DECLINED = "declined", "Declined"


class AdaptiveThresholdConfig(models.Model):
    """A calibration: old and new values with their evidence. A steward applies or declines it once; the
    database refuses any other change (sql/learning.sql)."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="calibrations")
    config_type = models.TextField(choices=ConfigType.choices)
    stage = models.TextField(null=True, blank=True)
    old_values = models.JSONField()
    new_values = models.JSONField()
    evidence = models.JSONField()
    status = models.TextField(
        choices=CalibrationStatus.choices, default=CalibrationStatus.PROPOSED, db_default="proposed"
    )
    proposed_at = models.DateTimeField(db_default=NOW)
    decided_by = user_reference("decided_by")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "adaptive_threshold_configs"
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(config_type__in=ConfigType.values),
                name="adaptive_threshold_configs_config_type_check",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CalibrationStatus.values),
                name="adaptive_threshold_configs_status_check",
            ),
            models.UniqueConstraint(
                fields=["hub", "config_type", "stage"],
                condition=models.Q(status="proposed"),
                nulls_distinct=False,
                name="adaptive_threshold_configs_one_proposal",
            ),
        ]

    def __str__(self):
        return f"{self.get_config_type_display()} {self.stage or ''} ({self.status})"


class KnowledgeOutcome(models.TextChoices):
    IMPROVED = "improved", "Improved"
    REGRESSED = "regressed", "Regressed"
    MIXED = "mixed", "Mixed"
    NEUTRAL = "neutral", "Neutral"
    UNOBSERVED = "unobserved", "Not observed yet"


class InstitutionalKnowledgeEntry(models.Model):
    """A decision with its outcome, distilled for people facing a similar problem. Its `search_vector`
    (a generated tsvector with a GIN index, sql/learning.sql) is not a model field: search reads it in SQL."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="knowledge_entries")
    decision = models.OneToOneField(DecisionRecord, on_delete=models.CASCADE, related_name="knowledge_entry")
    title = ShortTextField()
    problem = models.TextField()
    decision_text = models.TextField()
    rationale = models.TextField()
    outcome = models.TextField(choices=KnowledgeOutcome.choices)
    evaluation = models.TextField(blank=True, default="", db_default="")
    links = models.JSONField(default=list)
    widget_type = models.TextField(blank=True, default="", db_default="")
    pattern = models.TextField(blank=True, default="", db_default="")
    created_by = user_reference("created_by")
    created_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "institutional_knowledge_entries"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=KnowledgeOutcome.values),
                name="institutional_knowledge_entries_outcome_check",
            ),
        ]

    def __str__(self):
        return self.title


class InsightType(models.TextChoices):
    CHANGE_REGRESSIONS = "change_regressions", "Changes that regressed"
    PATTERN_SUCCESS = "pattern_success", "A pattern that works"
    PATTERN_FAILURE = "pattern_failure", "A pattern that fails"
    CORRELATION = "correlation", "A factor that predicts regressions"


class InsightStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DISMISSED = "dismissed", "Dismissed"


class LearningInsight(models.Model):
    """A statement a person can act on, with links to its evidence. new → acknowledged | dismissed."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="learning_insights")
    insight_type = models.TextField(choices=InsightType.choices)
    statement = models.TextField()
    evidence = models.JSONField()
    fingerprint = models.TextField()
    status = models.TextField(choices=InsightStatus.choices, default=InsightStatus.NEW, db_default="new")
    created_at = models.DateTimeField(db_default=NOW)
    acted_by = user_reference("acted_by")
    acted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "learning_insights"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(insight_type__in=InsightType.values),
                name="learning_insights_insight_type_check",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InsightStatus.values), name="learning_insights_status_check"
            ),
            models.UniqueConstraint(fields=["hub", "fingerprint"], name="learning_insights_fingerprint_key"),
        ]

    def __str__(self):
        return self.statement
