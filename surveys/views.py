from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from hubs.access import get_hub_for_user, require
from outcomes.views import deployment_page_response, get_deployment
from surveys import selectors, services
from surveys.forms import DecideForm, OptOutForm, SurveySettingsForm, ToggleForm
from surveys.models import ReporterVerdict, SignalSuggestion, VerdictOptOut

STEWARDS_ONLY = "Only the hub's stewards change its survey settings."
RECORDERS_ONLY = "Viewers read survey results; stewards and reviewers act on them."


@login_required
@require_http_methods(["GET", "POST"])
def survey_settings(request, slug):
    access = get_hub_for_user(request, slug)
    require(access.can_manage_hub, STEWARDS_ONLY)
    instance = selectors.settings_for(access.hub)
    form = SurveySettingsForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save(commit=False)
            saved.updated_by, saved.updated_at = request.user, timezone.now()
            saved.save()
            messages.success(request, "Survey settings saved.")
            return redirect("surveys:settings", access.hub.slug)
        context = {"access": access, "hub": access.hub, "form": form}
        return TemplateResponse(request, "surveys/settings.html", context, status=422)
    return TemplateResponse(
        request, "surveys/settings.html", {"access": access, "hub": access.hub, "form": form}
    )


@login_required
@require_POST
def survey_toggle(request, slug, deployment_id):
    access = get_hub_for_user(request, slug)
    deployment = get_deployment(access, deployment_id)
    require(access.can_record_outcomes, RECORDERS_ONLY)
    form = ToggleForm(request.POST)
    if not form.is_valid():
        return deployment_page_response(
            request, access, deployment, action_error="Choose on or off.", status=422
        )
    services.survey_toggle(deployment=deployment, actor=request.user, enabled=form.cleaned_data["enabled"])
    return redirect("outcomes:deployment", access.hub.slug, deployment.pk)


@login_required
@require_POST
def suggestion_decide(request, slug, deployment_id, suggestion_id):
    access = get_hub_for_user(request, slug)
    deployment = get_deployment(access, deployment_id)
    get_object_or_404(SignalSuggestion, pk=suggestion_id, deployment=deployment)
    require(access.can_record_outcomes, RECORDERS_ONLY)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return deployment_page_response(
            request, access, deployment, action_error="Confirm or reject the suggestion.", status=422
        )
    confirm = form.cleaned_data["decision"] == "confirm"
    if not services.suggestion_decide(
        suggestion_id=suggestion_id, deployment=deployment, actor=request.user, confirm=confirm
    ):
        return deployment_page_response(
            request, access, deployment, action_error=services.ALREADY_DECIDED, status=409
        )
    messages.success(request, "Signal recorded." if confirm else "Suggestion rejected.")
    return redirect("outcomes:deployment", access.hub.slug, deployment.pk)


@login_required
@require_http_methods(["GET"])
def my_reports(request, slug):
    """The in-app notifications of what came of the user's annotations in this hub; seen, they are read."""
    access = get_hub_for_user(request, slug)
    verdicts = list(
        ReporterVerdict.objects.filter(hub=access.hub, user=request.user)
        .select_related("deployment", "annotation__widget")
        .order_by("-created_at")[:100]
    )
    unread = [v.pk for v in verdicts if v.read_at is None]
    if unread:
        ReporterVerdict.objects.filter(pk__in=unread).update(read_at=timezone.now())
    context = {
        "access": access,
        "hub": access.hub,
        "verdicts": verdicts,
        "unread": set(unread),
        "opted_out": VerdictOptOut.objects.filter(hub=access.hub, actor_id=request.user.pk).exists(),
    }
    return TemplateResponse(request, "surveys/my_reports.html", context)


@login_required
@require_POST
def my_reports_opt_out(request, slug):
    access = get_hub_for_user(request, slug)
    form = OptOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to opt out or in.")
        return redirect("surveys:my-reports", access.hub.slug)
    opted_out = form.cleaned_data["opted_out"]
    services.verdict_opt_out(hub_id=access.hub.pk, actor_id=request.user.pk, opted_out=opted_out)
    messages.success(
        request,
        f"You will {'no longer' if opted_out else 'again'} hear what came of your reports in {access.hub}.",
    )
    return redirect("surveys:my-reports", access.hub.slug)
