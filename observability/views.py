from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max, Min
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hubs.access import get_hub_for_user, require
from observability import compute, selectors
from observability.forms import ResolveForm, ThresholdsForm
from observability.models import (
    BottleneckRecord,
    BottleneckThreshold,
    FrictionScore,
    HubHealthSnapshot,
)

HEALTH_HISTORY = 60
STEWARDS_ONLY = "Only the hub's stewards do this."


@login_required
@require_GET
def heatmap(request, slug):
    access = get_hub_for_user(request, slug)
    context = {
        "access": access,
        "hub": access.hub,
        "groups": selectors.heatmap(access.hub),
        "bands": settings.IHF_FRICTION_BANDS,
        "computed": FrictionScore.objects.filter(widget__hub=access.hub).aggregate(
            oldest=Min("last_computed_at"), newest=Max("last_computed_at")
        ),
    }
    return TemplateResponse(request, "observability/heatmap.html", context)


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


def _bottleneck_context(access, thresholds_form=None, resolve_error=None):
    current = dict(BottleneckThreshold.objects.filter(hub=access.hub).values_list("stage", "threshold_days"))
    records = list(
        BottleneckRecord.objects.filter(hub=access.hub, resolved_at__isnull=True).order_by(
            "stage", "stalled_since"
        )
    )
    selectors.label_subjects(records, access.hub)
    return {
        "access": access,
        "hub": access.hub,
        "records": records,
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
                _bottleneck_context(access, thresholds_form=form),
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
    return TemplateResponse(request, "observability/bottlenecks.html", _bottleneck_context(access))


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
            _bottleneck_context(access, resolve_error=form.errors["note"][0]),
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
