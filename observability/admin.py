from django.contrib import admin

from ihf.admin import ReadOnlyAdmin
from observability.models import (
    BottleneckRecord,
    BottleneckThreshold,
    CrossHubPropagation,
    FrictionScore,
    HubHealthSnapshot,
)


@admin.register(FrictionScore)
class FrictionScoreAdmin(ReadOnlyAdmin):
    list_display = (
        "widget",
        "score",
        "annotation_count",
        "error_event_count",
        "regression_flag",
        "last_computed_at",
    )
    list_select_related = ("widget",)
    ordering = ("-score",)


@admin.register(BottleneckRecord)
class BottleneckRecordAdmin(admin.ModelAdmin):
    list_display = ("stage", "hub", "subject_type", "stalled_since", "severity", "resolved_at")
    list_filter = ("stage", "severity", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("hub",)
    raw_id_fields = ("hub", "resolved_by")


@admin.register(BottleneckThreshold)
class BottleneckThresholdAdmin(admin.ModelAdmin):
    list_display = ("hub", "stage", "threshold_days")


@admin.register(HubHealthSnapshot)
class HubHealthSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("hub", "health_score", "computed_at")
    list_select_related = ("hub",)


@admin.register(CrossHubPropagation)
class CrossHubPropagationAdmin(admin.ModelAdmin):
    list_display = ("summary", "pattern_type", "status", "detected_at")
    list_filter = ("pattern_type", "status")
    readonly_fields = ("fingerprint",)
