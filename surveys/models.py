"""Post-change micro-surveys (seed 004's `user_feedback`, adapted to deployments and widgets) and the news
sent back to the people whose annotations led to a change."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from feedback.models import Annotation
from hubs.models import Hub, Widget
from ihf.db import NOW, user_reference, uuid_primary_key
from outcomes.models import DeploymentRecord, OutcomeSignal

DEFAULT_POSITIVE = ["fast", "clear", "easy", "reliable"]
DEFAULT_NEGATIVE = ["slow", "confusing", "buggy", "hard to find"]
# The dimension ratings (1–5) a respondent may add: seed 004's pattern_usefulness, setup_ease, … for widgets.
DIMENSIONS = {"usefulness": "Useful", "ease_of_use": "Easy to use", "clarity": "Clear", "speed": "Fast"}


def _positive():
    return list(DEFAULT_POSITIVE)


def _negative():
    return list(DEFAULT_NEGATIVE)


class SurveySettings(models.Model):
    """A hub's survey rules: who is asked (sampling rate), how often (quiet period), which aspect tags."""

    hub = models.OneToOneField(
        Hub, primary_key=True, on_delete=models.CASCADE, related_name="survey_settings"
    )
    sampling_rate = models.DecimalField(
        max_digits=4, decimal_places=3, default=0.2, help_text="Share of a widget's users asked (0.001–1)."
    )
    quiet_period_days = models.SmallIntegerField(
        default=7, help_text="Days a person is left alone after a survey (at least 1: one a day at most)."
    )
    positive_aspects = ArrayField(models.TextField(), default=_positive)
    negative_aspects = ArrayField(models.TextField(), default=_negative)
    updated_at = models.DateTimeField(db_default=NOW)
    updated_by = user_reference()

    class Meta:
        db_table = "survey_settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sampling_rate__gt=0, sampling_rate__lte=1), name="survey_settings_rate"
            ),
            models.CheckConstraint(
                condition=models.Q(quiet_period_days__gte=1, quiet_period_days__lte=365),
                name="survey_settings_quiet_period",
            ),
        ]

    def __str__(self):
        return f"Survey settings of {self.hub_id}"


class DeploymentSurvey(models.Model):
    """Surveys turned on (or off again) for one deployment: its widgets' users are asked once it succeeded."""

    deployment = models.OneToOneField(
        DeploymentRecord, primary_key=True, on_delete=models.CASCADE, related_name="survey"
    )
    enabled = models.BooleanField(default=True)
    changed_by = user_reference()
    changed_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "deployment_surveys"

    def __str__(self):
        return f"Survey of {self.deployment_id}: {'on' if self.enabled else 'off'}"


class SurveyPrompt(models.Model):
    """A survey shown to someone (the reporter's client id), and whether they dismissed it: the response
    rate's denominator."""

    id = models.UUIDField(primary_key=True)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    deployment = models.ForeignKey(DeploymentRecord, on_delete=models.CASCADE, related_name="survey_prompts")
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="+")
    shown_at = models.DateTimeField(db_default=NOW)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "survey_prompts"
        indexes = [models.Index(fields=["deployment", "widget"], name="survey_prompts_deployment_idx")]

    def __str__(self):
        return f"Prompt {self.pk}"


class FeedbackSource(models.TextChoices):
    MODAL = "modal", "The reporter's question"
    DASHBOARD = "dashboard", "Dashboard"
    EMAIL = "email", "Email"
    API = "api", "API"


class UserFeedback(models.Model):
    """One answer to a post-change survey (seed 004's `user_feedback`): `deployment_id` plays the part of
    the seed's project_outcome_id; the dimension ratings are a widget's (usefulness, ease of use, …)."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    deployment = models.ForeignKey(DeploymentRecord, on_delete=models.CASCADE, related_name="user_feedback")
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="user_feedback")
    prompt = models.ForeignKey(
        SurveyPrompt, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overall_satisfaction = models.SmallIntegerField()
    usefulness = models.SmallIntegerField(null=True, blank=True)
    ease_of_use = models.SmallIntegerField(null=True, blank=True)
    clarity = models.SmallIntegerField(null=True, blank=True)
    speed = models.SmallIntegerField(null=True, blank=True)
    positive_aspects = ArrayField(models.TextField(), null=True, blank=True)
    negative_aspects = ArrayField(models.TextField(), null=True, blank=True)
    additional_comments = models.TextField(null=True, blank=True)
    would_recommend = models.BooleanField(null=True, blank=True)
    likelihood_to_reuse = models.SmallIntegerField(null=True, blank=True)
    feedback_source = models.CharField(
        max_length=20, choices=FeedbackSource.choices, default=FeedbackSource.MODAL, db_default="modal"
    )
    submitted_at = models.DateTimeField(db_default=NOW)
    actor_id = models.UUIDField(null=True, blank=True)
    actor_type = models.TextField(default="user", db_default="user")

    class Meta:
        db_table = "user_feedback"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["deployment", "widget"], name="idx_user_feedback_deployment"),
            models.Index(fields=["widget", "-submitted_at"], name="idx_user_feedback_widget"),
            models.Index(fields=["-submitted_at"], name="idx_user_feedback_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overall_satisfaction__gte=1, overall_satisfaction__lte=5),
                name="user_feedback_overall_satisfaction_check",
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5})
                    | models.Q(**{f"{name}__isnull": True}),
                    name=f"user_feedback_{name}_check",
                )
                for name in DIMENSIONS
            ],
            models.CheckConstraint(
                condition=models.Q(likelihood_to_reuse__gte=1, likelihood_to_reuse__lte=10)
                | models.Q(likelihood_to_reuse__isnull=True),
                name="valid_nps",
            ),
            models.CheckConstraint(
                condition=models.Q(feedback_source__in=FeedbackSource.values),
                name="user_feedback_source_check",
            ),
            # One answer per known person and deployment; anonymous people are held to it by the reporter.
            models.UniqueConstraint(
                fields=["deployment", "actor_id"],
                condition=models.Q(actor_id__isnull=False),
                name="user_feedback_once_per_actor",
            ),
        ]

    def __str__(self):
        return f"{self.overall_satisfaction}/5 on {self.widget_id}"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a reviewer"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class SignalSuggestion(models.Model):
    """An outcome signal the survey answers suggest, with their evidence: a reviewer confirms it (which
    records the signal) or rejects it. Nothing is recorded as a signal on its own."""

    id = uuid_primary_key()
    deployment = models.ForeignKey(
        DeploymentRecord, on_delete=models.CASCADE, related_name="signal_suggestions"
    )
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="+")
    signal_type = models.TextField()
    evidence = models.JSONField()
    status = models.TextField(choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING)
    created_at = models.DateTimeField(db_default=NOW)
    decided_by = user_reference()
    decided_at = models.DateTimeField(null=True, blank=True)
    signal = models.ForeignKey(
        OutcomeSignal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "survey_signal_suggestions"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signal_type__in=["improved", "regressed"]), name="survey_suggestion_type"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SuggestionStatus.values), name="survey_suggestion_status"
            ),
            # A rejected suggestion is not made again for the same deployment, widget and direction.
            models.UniqueConstraint(
                fields=["deployment", "widget", "signal_type"], name="survey_suggestion_once"
            ),
        ]

    def __str__(self):
        return f"Suggested {self.signal_type} for {self.deployment_id}"


class Verdict(models.TextChoices):
    IMPROVED = "improved", "Improved"
    REGRESSED = "regressed", "Regressed"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


class ReporterVerdict(models.Model):
    """What came of an annotation: its candidate was deployed and judged. The author's in-app notification;
    the reporter shows it once to the browser that sent the annotation ("your report led to a change")."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="verdicts")
    deployment = models.ForeignKey(
        DeploymentRecord, on_delete=models.CASCADE, related_name="reporter_verdicts"
    )
    actor_id = models.UUIDField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="verdicts"
    )
    verdict = models.TextField(choices=Verdict.choices)
    evaluation_score = models.SmallIntegerField()
    created_at = models.DateTimeField(db_default=NOW)
    read_at = models.DateTimeField(null=True, blank=True)
    reporter_shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "reporter_verdicts"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="reporter_verdicts_user_idx")]
        constraints = [
            models.UniqueConstraint(fields=["deployment", "annotation"], name="reporter_verdicts_once"),
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values), name="reporter_verdicts_kind"
            ),
        ]

    def __str__(self):
        return f"{self.verdict} for {self.annotation_id}"


class VerdictOptOut(models.Model):
    """Someone (an IHF user's id, or a reporter's actor id) who does not want to hear what came of their
    reports in this hub."""

    id = uuid_primary_key()
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    actor_id = models.UUIDField()
    created_at = models.DateTimeField(db_default=NOW)

    class Meta:
        db_table = "verdict_opt_outs"
        constraints = [models.UniqueConstraint(fields=["hub", "actor_id"], name="verdict_opt_outs_once")]

    def __str__(self):
        return f"{self.actor_id} opted out of {self.hub_id}"
