from django.contrib import admin

from governance.models import DecisionRecord, ImplementationChangeReference, PolicyReference, Requirement
from ihf.admin import ReadOnlyAdmin


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "source_candidate", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "description")
    raw_id_fields = ("source_candidate", "created_by")


@admin.register(DecisionRecord)
class DecisionRecordAdmin(ReadOnlyAdmin):
    """Decisions are never edited (the database refuses): record a superseding decision instead."""

    list_display = ("title", "outcome", "hub", "decided_by", "decided_at")
    list_filter = ("outcome", "hub")
    search_fields = ("title", "rationale")
    list_select_related = ("hub", "decided_by")


@admin.register(PolicyReference)
class PolicyReferenceAdmin(admin.ModelAdmin):
    list_display = ("policy_scope", "decision", "created_at")
    raw_id_fields = ("decision", "created_by")


@admin.register(ImplementationChangeReference)
class ImplementationChangeReferenceAdmin(admin.ModelAdmin):
    list_display = ("work_item_ref", "system", "decision", "linked_at")
    list_filter = ("system",)
    raw_id_fields = ("decision", "linked_by")
