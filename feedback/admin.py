from django.contrib import admin

from feedback.models import (
    Annotation,
    AnnotationThread,
    NotificationOutcome,
    RequirementCandidate,
    ReviewerAssignment,
    TriageState,
)
from ihf.admin import ReadOnlyAdmin


@admin.register(AnnotationThread)
class AnnotationThreadAdmin(admin.ModelAdmin):
    list_display = ("title", "widget", "created_by", "created_at")
    search_fields = ("title", "description")
    list_select_related = ("widget", "created_by")
    raw_id_fields = ("widget", "created_by")


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    """Annotations are never edited (the database refuses); retract them from the widget page."""

    list_display = (
        "short_body",
        "widget",
        "category",
        "severity",
        "actor_type",
        "created_at",
        "retracted_at",
    )
    # Severity and category have fixed choices; actor types are free text, and a filter on them would ask the
    # table for its DISTINCT values on every page (issue 21).
    list_filter = ("severity", "category", ("retracted_at", admin.EmptyFieldListFilter))
    search_fields = ("body",)
    list_select_related = ("widget",)

    @admin.display(description="Body")
    def short_body(self, obj):
        return obj.body[:80]


class TriageStateInline(admin.TabularInline):
    model = TriageState
    fields = ("changed_at", "kind", "status", "assigned_to", "notes", "changed_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RequirementCandidate)
class RequirementCandidateAdmin(admin.ModelAdmin):
    """Status changes go through the triage board, which records history; here they are read-only."""

    list_display = ("title", "status", "category", "source_widget", "created_at")
    list_filter = ("status", "category")
    search_fields = ("title", "description")
    list_select_related = ("source_widget",)
    raw_id_fields = ("source_widget", "source_thread", "source_annotation", "duplicate_of", "created_by")
    readonly_fields = ("status", "duplicate_of", "created_at")
    inlines = [TriageStateInline]


@admin.register(TriageState)
class TriageStateAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "kind", "status", "changed_by", "changed_at")
    list_filter = ("kind", "status")
    list_select_related = ("candidate", "changed_by")


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "user", "assigned_by", "assigned_at")
    list_select_related = ("candidate", "user", "assigned_by")


@admin.register(NotificationOutcome)
class NotificationOutcomeAdmin(ReadOnlyAdmin):
    list_display = (
        "sent_at",
        "channel",
        "notification_type",
        "recipient",
        "delivery_status",
        "user_action",
        "time_to_action_sec",
    )
    list_filter = ("channel", "delivery_status", "notification_type", "user_action")
    search_fields = ("recipient",)
