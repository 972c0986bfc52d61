"""The survey results on the deployment page (outcomes, which does not import this app, loads this tag)."""

from django import template

from surveys import selectors
from surveys.models import DeploymentSurvey, ReporterVerdict, SignalSuggestion, SuggestionStatus

register = template.Library()


@register.inclusion_tag("surveys/includes/results.html", takes_context=True)
def survey_results(context, deployment):
    access = context["access"]
    survey = DeploymentSurvey.objects.filter(deployment=deployment).first()
    return {
        "access": access,
        "hub": access.hub,
        "deployment": deployment,
        "survey": survey,
        "results": selectors.results(deployment.pk),
        "suggestions": list(
            SignalSuggestion.objects.filter(deployment=deployment)
            .select_related("widget", "decided_by")
            .order_by("-created_at")
        ),
        "pending": SuggestionStatus.PENDING,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def one_decimal(value):
    """A mean or a bound to one decimal; a dash where there is none."""
    return f"{value:.1f}" if isinstance(value, int | float) else "—"


@register.inclusion_tag("surveys/includes/my_reports_link.html", takes_context=True)
def my_reports_link(context):
    """On the hub page: the user's verdicts (what came of their reports), with how many are unread."""
    access = context["access"]
    unread = ReporterVerdict.objects.filter(hub=access.hub, user=access.user, read_at__isnull=True).count()
    return {"hub": access.hub, "unread": unread, "access": access}
