"""The learning dashboard (five panels, each refreshing itself with htmx), the knowledge base, and the
actions on calibrations, insights and decisions (distil)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from governance.selectors import get_decision
from hubs.access import get_hub_for_user, require
from hubs.models import Hub
from learning import selectors, services
from learning.forms import CalibrationForm, InsightForm, KnowledgeSearchForm
from learning.models import (
    AdaptiveThresholdConfig,
    InstitutionalKnowledgeEntry,
    KnowledgeOutcome,
    LearningInsight,
)
from learning.services import LearningError

PANELS = {
    "correlations": "What predicts regressions",
    "patterns": "Pattern performance",
    "calibrations": "Pending calibrations",
    "insights": "New insights",
    "knowledge": "Knowledge base",
}
PAGE_SIZE = 20
CHART_METRIC = "success_rate"


@login_required
@require_GET
def index(request):
    hubs = list(Hub.objects.visible_to(request.user).order_by("name"))
    if len(hubs) == 1:
        return redirect("learning:dashboard", hubs[0].slug)
    return TemplateResponse(request, "learning/index.html", {"hubs": hubs})


def _panel(access, key):
    hub_id = access.hub.pk
    context = {"key": key, "title": PANELS[key]}
    if key == "correlations":
        rows = list(selectors.latest_correlations(hub_id).exclude(effect_size=None)[:8])
        context["rows"] = rows
        context["computed_at"] = rows[0].computed_at if rows else None
    elif key == "patterns":
        context["patterns"] = selectors.pattern_figures(hub_id)[:8]
        context["trend"] = {
            "metric": CHART_METRIC,
            "series": selectors.pattern_trend(hub_id, CHART_METRIC, "day"),
        }
    elif key == "calibrations":
        context["calibrations"] = list(selectors.pending_calibrations(hub_id)[:10])
    elif key == "insights":
        context["insights"] = list(selectors.new_insights(hub_id)[:10])
    else:
        context["entries"] = list(
            InstitutionalKnowledgeEntry.objects.filter(hub_id=hub_id).order_by("-created_at")[:5]
        )
    return context


@login_required
@require_GET
def dashboard(request, slug):
    access = get_hub_for_user(request, slug)
    context = {
        "access": access,
        "hub": access.hub,
        "panels": [_panel(access, key) for key in PANELS],
        "refresh": settings.IHF_LEARNING_REFRESH_SECONDS,
    }
    return TemplateResponse(request, "learning/dashboard.html", context)


@login_required
@require_GET
def panel(request, slug, panel):
    access = get_hub_for_user(request, slug)
    if panel not in PANELS:
        raise Http404("No such panel.")
    context = {
        "access": access,
        "hub": access.hub,
        "panel": _panel(access, panel),
        "refresh": settings.IHF_LEARNING_REFRESH_SECONDS,
    }
    return TemplateResponse(request, "learning/includes/panel.html", context)


def _after_action(request, access, key):
    """An htmx request gets its panel again; a plain one goes back to the dashboard."""
    if request.htmx:
        context = {
            "access": access,
            "hub": access.hub,
            "panel": _panel(access, key),
            "refresh": settings.IHF_LEARNING_REFRESH_SECONDS,
        }
        return TemplateResponse(request, "learning/includes/panel.html", context)
    return redirect("learning:dashboard", access.hub.slug)


def _refused(request, access, key, message, status):
    """The panel (htmx) or the whole dashboard, with the refusal in the panel it is about."""
    panels = [_panel(access, name) for name in PANELS]
    for panel_context in panels:
        if panel_context["key"] == key:
            panel_context["error"] = message
    context = {
        "access": access,
        "hub": access.hub,
        "panels": panels,
        "panel": panels[list(PANELS).index(key)],
        "refresh": settings.IHF_LEARNING_REFRESH_SECONDS,
    }
    template = "learning/includes/panel.html" if request.htmx else "learning/dashboard.html"
    return TemplateResponse(request, template, context, status=status)


@login_required
@require_POST
def calibration_decide(request, slug, calibration_id):
    access = get_hub_for_user(request, slug)
    require(access.can_manage_hub, "Only stewards apply or decline calibrations.")
    form = CalibrationForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, "calibrations", "Choose to apply or to decline.", 422)
    try:
        services.calibration_decide(
            hub=access.hub,
            calibration_id=calibration_id,
            actor=request.user,
            apply=form.cleaned_data["action"] == "apply",
        )
    except AdaptiveThresholdConfig.DoesNotExist:
        raise Http404("No such calibration.") from None
    except LearningError as exc:
        return _refused(request, access, "calibrations", str(exc), 409)
    return _after_action(request, access, "calibrations")


@login_required
@require_POST
def insight_act(request, slug, insight_id):
    access = get_hub_for_user(request, slug)
    require(access.can_decide, "Viewers read insights; stewards and reviewers act on them.")
    get_object_or_404(LearningInsight, pk=insight_id, hub=access.hub)
    form = InsightForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, "insights", "Choose to acknowledge or to dismiss.", 422)
    try:
        services.insight_act(
            hub=access.hub, insight_id=insight_id, actor=request.user, status=form.cleaned_data["action"]
        )
    except LearningError as exc:
        return _refused(request, access, "insights", str(exc), 409)
    return _after_action(request, access, "insights")


@login_required
@require_GET
def knowledge(request, slug):
    access = get_hub_for_user(request, slug)
    form = KnowledgeSearchForm(request.GET)
    status, total, rows, page = 200, 0, [], 1
    if form.is_valid():
        data = form.cleaned_data
        page = data["page"] or 1
        filters = selectors.KnowledgeFilters(
            q=data["q"],
            widget_type=data["widget_type"],
            pattern=data["pattern"],
            outcome=data["outcome"],
            sort=data["sort"],
        )
        total, rows = selectors.knowledge_search(
            access.hub.pk, filters, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
    else:
        status = 422
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "access": access,
        "hub": access.hub,
        "form": form,
        "total": total,
        "rows": rows,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "query": query.urlencode(),
        "outcomes": KnowledgeOutcome.choices,
    }
    template = "learning/knowledge.html#results" if request.htmx else "learning/knowledge.html"
    return TemplateResponse(request, template, context, status=status)


@login_required
@require_GET
def knowledge_entry(request, slug, entry_id):
    access = get_hub_for_user(request, slug)
    entry = get_object_or_404(
        InstitutionalKnowledgeEntry.objects.select_related("decision", "created_by"),
        pk=entry_id,
        hub=access.hub,
    )
    context = {"access": access, "hub": access.hub, "entry": entry}
    return TemplateResponse(request, "learning/entry.html", context)


@login_required
@require_POST
def distil(request, slug, decision_id):
    access = get_hub_for_user(request, slug)
    decision = get_decision(access, decision_id)
    require(access.can_decide, "Viewers read the knowledge base; stewards and reviewers add to it.")
    try:
        entry = services.knowledge_distil(decision=decision, actor=request.user)
    except LearningError as exc:
        messages.error(request, str(exc))
        existing = InstitutionalKnowledgeEntry.objects.get(decision=decision)
        return redirect("learning:entry", access.hub.slug, existing.pk)
    return redirect("learning:entry", access.hub.slug, entry.pk)
