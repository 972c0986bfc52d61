from django.conf import settings
from django.db import models

from hubs.models import Widget
from ihf.db import NOW, ShortTextField, uuid_primary_key


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Category(models.TextChoices):
    FRICTION = "friction", "Friction"
    BUG = "bug", "Bug"
    CONFUSION = "confusion", "Confusion"
    ACCESSIBILITY = "accessibility", "Accessibility"
    SUGGESTION = "suggestion", "Suggestion"
    PRAISE = "praise", "Praise"


class AnnotationThread(models.Model):
    """Groups related annotations of one widget for triage."""

    id = uuid_primary_key()
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="threads")
    title = ShortTextField()
    description = models.TextField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_column="created_by",
        related_name="+",
    )
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "annotation_threads"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class AnnotationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(retracted_at__isnull=True)


class Annotation(models.Model):
    """Structured commentary on a widget by a person or an agent."""

    id = uuid_primary_key()
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="annotations", db_index=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()
    category = models.TextField(choices=Category.choices, default=Category.FRICTION, db_default="friction")
    severity = models.TextField(choices=Severity.choices, default=Severity.MEDIUM, db_default="medium")
    thread = models.ForeignKey(
        AnnotationThread, null=True, blank=True, on_delete=models.SET_NULL, related_name="annotations"
    )
    actor_id = models.UUIDField(null=True, blank=True)
    actor_type = models.TextField(default="user", db_default="user")
    widget_state_ref = models.TextField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        db_table = "annotations"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["widget"], name="annotations_widget_id_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__in=Severity.values), name="annotations_severity_check"
            ),
        ]

    def __str__(self):
        return self.body[:60]

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None
