"""Pages across hubs: the cross-hub patterns and the operational review board. Each reader sees what
concerns the hubs they belong to, whatever their role there; acting on a pattern is for its stewards."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from hubs.access import get_cross_hub_access, require, steward_hub_ids
from hubs.models import Hub
from observability import selectors
from observability.forms import PropagationForm
from observability.models import CrossHubPropagation, PropagationStatus

PATTERNS_PER_PAGE = 20


def _visible_hubs(user):
    return Hub.objects.visible_to(user)


def _propagations_page(request, show="live", form_error=None, status=200):
    show = "all" if show == "all" else "live"
    statuses = ("open", "acknowledged", "resolved") if show == "all" else ("open", "acknowledged")
    page = Paginator(
        selectors.propagations_for(_visible_hubs(request.user), statuses).order_by("-detected_at", "pk"),
        PATTERNS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    items = list(page.object_list)
    hub_ids = {h for p in items for h in p.affected_hub_ids}
    visible = {
        str(pk): slug
        for pk, slug in _visible_hubs(request.user).filter(pk__in=hub_ids).values_list("pk", "slug")
    }
    names = dict(Hub.objects.filter(pk__in=hub_ids).values_list("pk", "name"))
    acting = steward_hub_ids(request.user)
    for item in items:
        item.hubs = [{"name": names.get(h, h), "slug": visible.get(h)} for h in item.affected_hub_ids]
        item.may_act = acting.allows([item.source_hub_id, *item.affected_hub_ids])
    context = {"page": page, "items": items, "show": show, "form_error": form_error}
    return TemplateResponse(request, "observability/propagations.html", context, status=status)


@login_required
@require_GET
def propagations(request):
    return _propagations_page(request, request.GET.get("show", "live"))


@login_required
@require_GET
def propagation_detail(request, propagation_id):
    """One pattern with what it is made of in the reader's hubs: annotations, widgets and hubs, linked."""
    propagation = get_object_or_404(
        CrossHubPropagation.objects.select_related("source_hub"), pk=propagation_id
    )
    access = get_cross_hub_access(request, [propagation.source_hub_id, *propagation.affected_hub_ids])
    hubs = _visible_hubs(request.user)
    context = {
        "pattern": propagation,
        "evidence": selectors.propagation_evidence(propagation, hubs),
        "hubs": list(hubs.filter(pk__in=propagation.affected_hub_ids).order_by("name")),
        "others": len(
            set(propagation.affected_hub_ids) - {str(pk) for pk in hubs.values_list("pk", flat=True)}
        ),
        "may_act": access.can_act and propagation.status != PropagationStatus.RESOLVED,
    }
    return TemplateResponse(request, "observability/propagation_detail.html", context)


@login_required
@require_POST
def propagation_act(request, propagation_id):
    propagation = get_object_or_404(CrossHubPropagation, pk=propagation_id)
    access = get_cross_hub_access(request, [propagation.source_hub_id, *propagation.affected_hub_ids])
    require(access.can_act, "Only stewards of an involved hub act on a propagation.")
    form = PropagationForm(request.POST)
    if not form.is_valid():
        return _propagations_page(request, form_error=next(iter(form.errors.values()))[0], status=422)
    status = (
        PropagationStatus.ACKNOWLEDGED
        if form.cleaned_data["action"] == "acknowledge"
        else PropagationStatus.RESOLVED
    )
    if propagation.act(actor=request.user, status=status, note=form.cleaned_data["note"]):
        messages.success(request, f"Pattern {status}: {propagation.summary}")
    else:
        messages.error(request, "That propagation is already resolved.")
    return redirect("observability:propagations")


PANELS = ("health", "friction", "bottlenecks", "propagations")


def _panel(key, user):
    hubs = _visible_hubs(user)
    if key == "health":
        return {
            "key": key,
            "title": "Hub health",
            "hubs": list(selectors.latest_health(hubs).order_by("name")),
        }
    if key == "friction":
        return {"key": key, "title": "Top friction widgets", "scores": selectors.top_friction(hubs)}
    if key == "bottlenecks":
        return {
            "key": key,
            "title": "Open bottlenecks by stage",
            "stages": selectors.bottlenecks_by_stage(hubs),
        }
    return {
        "key": key,
        "title": "Open cross-hub patterns",
        "propagations": list(selectors.propagations_for(hubs).order_by("-detected_at")[:10]),
    }


@login_required
@require_GET
def review_board(request):
    context = {
        "panels": [_panel(key, request.user) for key in PANELS],
        "refresh": settings.IHF_REVIEW_REFRESH_SECONDS,
        "member_anywhere": _visible_hubs(request.user).exists(),
    }
    return TemplateResponse(request, "observability/review_board.html", context)


@login_required
@require_GET
def review_panel(request, panel):
    if panel not in PANELS:
        raise Http404("No such panel.")
    context = {"panel": _panel(panel, request.user), "refresh": settings.IHF_REVIEW_REFRESH_SECONDS}
    return TemplateResponse(request, "observability/includes/review_panel.html", context)
