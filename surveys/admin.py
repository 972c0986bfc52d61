from django.contrib import admin

from ihf.admin import ReadOnlyAdmin
from surveys.models import ReporterVerdict, SignalSuggestion, SurveySettings, UserFeedback


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin):
    list_display = ("hub", "sampling_rate", "quiet_period_days", "updated_at")


@admin.register(UserFeedback)
class UserFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("deployment", "widget", "overall_satisfaction", "likelihood_to_reuse", "submitted_at")
    list_select_related = ("deployment", "widget")


@admin.register(SignalSuggestion)
class SignalSuggestionAdmin(ReadOnlyAdmin):
    list_display = ("deployment", "widget", "signal_type", "status", "created_at")


@admin.register(ReporterVerdict)
class ReporterVerdictAdmin(ReadOnlyAdmin):
    list_display = ("annotation", "deployment", "verdict", "evaluation_score", "user", "created_at")
