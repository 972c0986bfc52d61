from django.db import models
from django.utils import timezone
from django.utils.text import Truncator

from hubs.models import Widget
from ihf.db import NOW, ShortTextField, user_reference, uuid_primary_key
from ihf.models import User


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"

    @classmethod
    def rank(cls, value) -> int:
        return cls.values.index(value) + 1 if value in cls.values else 0


class Category(models.TextChoices):
    FRICTION = "friction", "Friction"
    BUG = "bug", "Bug"
    CONFUSION = "confusion", "Confusion"
    ACCESSIBILITY = "accessibility", "Accessibility"
    SUGGESTION = "suggestion", "Suggestion"
    PRAISE = "praise", "Praise"
    # What the auto-categoriser (assist/categorise.py) says when it is unsure; never offered in forms.
    GENERAL = "general", "General"


class AnnotationThread(models.Model):
    """Groups related annotations of one widget for triage."""

    id = uuid_primary_key()
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="threads")
    title = ShortTextField()
    description = models.TextField(null=True, blank=True)
    created_by = user_reference("created_by")
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    class Meta:
        db_table = "annotation_threads"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class AnnotationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(retracted_at__isnull=True)

    def with_actor_name(self):
        """`actor_name`: the author's name, which every page shows for a person's annotation (actor_id is a
        plain uuid, not a foreign key: an agent's annotations have none)."""
        return self.annotate(
            actor_name=models.Subquery(User.objects.filter(pk=models.OuterRef("actor_id")).values("name")[:1])
        )


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
    retraction_reason = models.TextField(null=True, blank=True)
    retracted_by = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=NOW, editable=False)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        db_table = "annotations"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["widget"], name="annotations_widget_id_idx"),
            # The admin's newest-first list (created_at DESC, id DESC): without it, a sort of every row.
            models.Index(fields=["-created_at", "-id"], name="annotations_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__in=Severity.values), name="annotations_severity_check"
            ),
            models.CheckConstraint(
                condition=models.Q(retracted_at__isnull=True)
                | (models.Q(retraction_reason__isnull=False) & ~models.Q(retraction_reason="")),
                name="annotations_retraction_has_reason",
            ),
        ]

    def __str__(self):
        return Truncator(self.body).chars(60)

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    def retract(self, *, by, reason: str) -> None:
        """Retract once, with a reason. The database refuses any other change (sql/annotations_guard.sql)."""
        self.retracted_at = timezone.now()
        self.retraction_reason = reason
        self.retracted_by = by.pk
        self.save(update_fields=["retracted_at", "retraction_reason", "retracted_by"])
