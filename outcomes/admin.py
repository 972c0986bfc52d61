from django.contrib import admin

from ihf.admin import ReadOnlyAdmin
from outcomes.models import ChangeEvaluation, DeploymentRecord, OutcomeSignal, Regression, RemediationEvent


@admin.register(DeploymentRecord)
class DeploymentRecordAdmin(ReadOnlyAdmin):
    list_display = ("version_ref", "decision", "deployed_at", "deployed_by")
    list_select_related = ("decision", "deployed_by")
    search_fields = ("version_ref",)


@admin.register(RemediationEvent)
class RemediationEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "deployment", "status", "remediation_type", "executed_by")
    list_filter = ("status", "remediation_type")
    list_select_related = ("deployment__decision",)  # a deployment's name includes its decision's


@admin.register(OutcomeSignal)
class OutcomeSignalAdmin(ReadOnlyAdmin):
    list_display = ("observed_at", "signal_type", "widget", "deployment", "value")
    list_filter = ("signal_type",)
    list_select_related = ("widget", "deployment__decision")


@admin.register(ChangeEvaluation)
class ChangeEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("deployment", "score", "evaluated_by", "evaluated_at")
    list_filter = ("score",)
    list_select_related = ("deployment__decision", "evaluated_by")


@admin.register(Regression)
class RegressionAdmin(ReadOnlyAdmin):
    list_display = ("widget", "hub", "detected_at", "resolved_at")
    list_filter = ("hub",)
    list_select_related = ("widget", "hub")
