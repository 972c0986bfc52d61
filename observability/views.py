import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Min
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hubs.access import get_hub_for_user, require
from ihf.ids import parse_uuid
from observability import compute, selectors
from observability.forms import HeatmapFilterForm, ResolveForm, ThresholdsForm
from observability.models import (
    BottleneckRecord,
    BottleneckThreshold,
    FrictionScore,
    HubHealthSnapshot,
    Stage,
)

HEALTH_HISTORY = 60
ZERO = uuid.UUID(int=0)
STEWARDS_ONLY = "Only the hub's stewards do this."


@login_required
@require_GET
def heatmap(request, slug):
    access = get_hub_for_user(request, slug)
    form = HeatmapFilterForm(request.GET)
    widget_type = form.cleaned_data["type"] if form.is_valid() else ""
    if widget_type:
        page = Paginator(selectors.heatmap_of_type(access.hub, widget_type), selectors.HEATMAP_PAGE).get_page(
            request.GET.get("page")
        )
        groups = [{"widget_type": widget_type, "widgets": selectors.heatmap_cells(page), "total": None}]
    else:
        page, groups = None, selectors.heatmap(access.hub)
    context = {
        "access": access,
        "hub": access.hub,
        "groups": groups,
        "widget_type": widget_type,
        "page": page,
        "per_group": selectors.HEATMAP_PER_GROUP,
        # One reversal for every cell's link, around the widget's id ({% url %} per cell cost a tenth of
        # the page's time).
        "widget_url": reverse("feedback:widget", args=[access.hub.slug, ZERO]).split(str(ZERO)),
        "filter_errors": form.errors,
        "bands": settings.IHF_FRICTION_BANDS,
        "computed": FrictionScore.objects.filter(widget__hub=access.hub).aggregate(
            oldest=Min("last_computed_at"), newest=Max("last_computed_at")
        ),
    }
    return TemplateResponse(
        request, "observability/heatmap.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def recompute(request, slug):
    access = get_hub_for_user(request, slug)
    require(access.can_manage_hub, STEWARDS_ONLY)
    run = compute.recompute_friction(access.hub)
    # Health counts high-friction widgets: a new snapshot keeps the badge in step with the heatmap.
    compute.snapshot_health()
    messages.success(
        request,
        f"Recomputed {run.rows} friction score(s) in {run.seconds * 1000:.0f} ms; health snapshot taken.",
    )
    return redirect("observability:heatmap", access.hub.slug)


BOTTLENECKS_PER_PAGE = 50


def _bottleneck_context(access, query, thresholds_form=None, resolve_error=None, resolving=None):
    """One page of the hub's open records (of one stage, if `query` names it), the open count per stage,
    and the record whose resolve form is open (`?resolve=`): a hub can have thousands of open records, and
    a form on every row made the page megabytes (issue 21)."""
    current = dict(BottleneckThreshold.objects.filter(hub=access.hub).values_list("stage", "threshold_days"))
    stage = query.get("stage") if query.get("stage") in Stage.values else ""
    open_records = BottleneckRecord.objects.filter(hub=access.hub, resolved_at__isnull=True)
    counts = dict(open_records.order_by().values_list("stage").annotate(n=Count("pk")))
    records = open_records.filter(stage=stage) if stage else open_records
    page = Paginator(records.order_by("stage", "stalled_since", "pk"), BOTTLENECKS_PER_PAGE).get_page(
        query.get("page")
    )
    page.object_list = list(page.object_list)  # labelled in place: one evaluation of the page's rows
    selectors.label_subjects(page.object_list, access.hub)
    return {
        "access": access,
        "hub": access.hub,
        "page": page,
        "stages": [{"stage": s, "label": label, "count": counts.get(s, 0)} for s, label in Stage.choices],
        "open_total": sum(counts.values()),
        "stage": stage,
        "resolving": resolving or parse_uuid(query.get("resolve")),
        "thresholds_form": thresholds_form or ThresholdsForm(current=current),
        "resolve_error": resolve_error,
    }


@login_required
@require_http_methods(["GET", "POST"])
def bottlenecks(request, slug):
    access = get_hub_for_user(request, slug)
    if request.method == "POST":
        require(access.can_manage_hub, STEWARDS_ONLY)
        form = ThresholdsForm(request.POST, current={})
        if not form.is_valid():
            return TemplateResponse(
                request,
                "observability/bottlenecks.html",
                _bottleneck_context(access, request.GET, thresholds_form=form),
                status=422,
            )
        with transaction.atomic():
            for stage, days in form.cleaned_data.items():
                BottleneckThreshold.objects.update_or_create(
                    hub=access.hub, stage=stage, defaults={"threshold_days": days}
                )
        run = compute.detect_bottlenecks()
        messages.success(request, f"Thresholds saved; {run.detail}.")
        return redirect("observability:bottlenecks", access.hub.slug)
    resolving = parse_uuid(request.GET.get("resolve"))
    if request.htmx and resolving and access.can_manage_hub:
        # The resolve form of one row, loaded into it on demand.
        record = get_object_or_404(BottleneckRecord, pk=resolving, hub=access.hub, resolved_at__isnull=True)
        selectors.label_subjects([record], access.hub)
        context = {"access": access, "hub": access.hub, "r": record, "resolving": record.pk}
        return TemplateResponse(request, "observability/bottlenecks.html#row", context)
    return TemplateResponse(
        request, "observability/bottlenecks.html", _bottleneck_context(access, request.GET)
    )


@login_required
@require_POST
def bottleneck_resolve(request, slug, record_id):
    access = get_hub_for_user(request, slug)
    record = get_object_or_404(BottleneckRecord, pk=record_id, hub=access.hub)
    require(access.can_manage_hub, STEWARDS_ONLY)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(
            request,
            "observability/bottlenecks.html",
            _bottleneck_context(
                access, request.GET, resolve_error=form.errors["note"][0], resolving=record.pk
            ),
            status=422,
        )
    record.resolve(actor=request.user, note=form.cleaned_data["note"])
    return redirect("observability:bottlenecks", access.hub.slug)


@login_required
@require_GET
def health(request, slug):
    access = get_hub_for_user(request, slug)
    history = list(HubHealthSnapshot.objects.filter(hub=access.hub).order_by("-computed_at")[:HEALTH_HISTORY])
    history.reverse()
    chart = {
        "labels": [s.computed_at.strftime("%Y-%m-%d %H:%M") for s in history],
        "scores": [s.health_score for s in history],
    }
    context = {
        "access": access,
        "hub": access.hub,
        "latest": history[-1] if history else None,
        "chart": chart,
        "rules": settings.IHF_HEALTH_RULES,
    }
    # The hub's page (feedback) loads these two fragments with htmx: it cannot import this app.
    if request.GET.get("badge"):
        return TemplateResponse(request, "observability/health.html#badge", context)
    if request.GET.get("history"):
        return TemplateResponse(request, "observability/health.html#history", context)
    return TemplateResponse(request, "observability/health.html", context)
