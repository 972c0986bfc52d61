from django.contrib import admin

from assist.models import (
    AgentProposal,
    AgentReviewRecord,
    AiCall,
    AnnotationCategorisation,
    CategoryClassifier,
    ConfidenceAnnotation,
)
from ihf.admin import ReadOnlyAdmin


class ConfidenceInline(admin.TabularInline):
    model = ConfidenceAnnotation
    extra = 0
    can_delete = False
    readonly_fields = ("dimension", "score", "explanation", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AgentProposal)
class AgentProposalAdmin(ReadOnlyAdmin):
    list_display = ("proposal_type", "status", "confidence", "hub", "model_ref", "created_at")
    list_filter = ("proposal_type", "status")
    list_select_related = ("hub",)
    search_fields = ("content",)
    show_full_result_count = False
    inlines = [ConfidenceInline]


@admin.register(AgentReviewRecord)
class AgentReviewRecordAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "decision", "reviewer", "reviewed_at")
    list_filter = ("decision",)
    list_select_related = ("proposal", "reviewer")


@admin.register(AiCall)
class AiCallAdmin(ReadOnlyAdmin):
    list_display = (
        "task",
        "model_ref",
        "status",
        "latency_ms",
        "input_size",
        "output_size",
        "hub",
        "called_at",
    )
    list_filter = ("status", "task")
    list_select_related = ("hub",)
    show_full_result_count = False


@admin.register(CategoryClassifier)
class CategoryClassifierAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "model_ref",
        "trained_on",
        "accuracy",
        "fallback_rate",
        "min_confidence",
        "trained_at",
    )
    exclude = ("weights", "bias")


@admin.register(AnnotationCategorisation)
class AnnotationCategorisationAdmin(ReadOnlyAdmin):
    list_display = ("annotation", "category", "confidence", "fallback", "model_ref", "created_at")
    list_filter = ("fallback", "category")
    show_full_result_count = False
