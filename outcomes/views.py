from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.selectors import get_decision
from hubs.access import get_hub_for_user, require
from hubs.models import Widget
from hubs.selectors import get_widget
from ihf.ids import parse_uuid
from ihf.models import User
from outcomes import selectors, services, trace
from outcomes.forms import DeploymentForm, EvaluationForm, ResolveForm, SignalForm, StatusForm
from outcomes.models import DeploymentRecord, Regression
from outcomes.services import OutcomeError

DEFAULT_WINDOW = 30


def get_deployment(access, deployment_id) -> DeploymentRecord:
    return get_object_or_404(
        selectors.with_current_status(
            DeploymentRecord.objects.select_related(
                "decision__requirement",
                "decision__candidate",
                "impl_ref",
                "deployed_by",
                "evaluation__evaluated_by",
            )
        ),
        pk=deployment_id,
        decision__hub=access.hub,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deploy(request, slug, decision_id):
    access = get_hub_for_user(request, slug)
    decision = get_decision(access, decision_id)
    require(access.can_record_outcomes, "Viewers cannot record deployments.")
    form = DeploymentForm(request.POST or None, decision=decision)
    error, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                deployment = services.deployment_record(
                    decision=decision, actor=request.user, **form.cleaned_data
                )
            except OutcomeError as exc:
                error, status = str(exc), 409
            else:
                return redirect("outcomes:deployment", access.hub.slug, deployment.pk)
    context = {"access": access, "hub": access.hub, "decision": decision, "form": form, "action_error": error}
    return TemplateResponse(request, "outcomes/deploy.html", context, status=status)


def _window(request) -> int:
    try:
        days = int(request.GET.get("window", DEFAULT_WINDOW))
    except ValueError:
        return DEFAULT_WINDOW
    return days if days in selectors.WINDOWS else DEFAULT_WINDOW


def _widgets_behind(deployment):
    return list(Widget.objects.filter(pk__in=selectors.decision_widget_ids(deployment.decision)))


def _with_executor_names(events):
    """Status events with `executed_by_label`: the person's name for "human:<email>" (one query), the
    recorded text for anything else (a pipeline's name)."""
    events = list(events)
    emails = {
        e.executed_by.removeprefix("human:") for e in events if (e.executed_by or "").startswith("human:")
    }
    names = dict(User.objects.filter(email__in=emails).values_list("email", "name")) if emails else {}
    for event in events:
        text = event.executed_by or ""
        event.executed_by_label = (
            names.get(text.removeprefix("human:"), text) if text.startswith("human:") else text
        )
    return events


def deployment_page_response(request, access, deployment, *, forms=None, action_error=None, status=200):
    forms = forms or {}
    widgets = _widgets_behind(deployment)
    widget_ids = [widget.pk for widget in widgets]
    evaluation = getattr(deployment, "evaluation", None)
    may_evaluate = access.can_record_outcomes and (
        evaluation is None or evaluation.evaluated_by_id == request.user.pk
    )
    context = {
        "access": access,
        "hub": access.hub,
        "deployment": deployment,
        "decision": deployment.decision,
        "widgets": widgets,
        "status_events": _with_executor_names(deployment.status_events.order_by("event_id")),
        "allowed_statuses": services.STATUS_FLOW.get(deployment.current_status, ()),
        "signals": list(deployment.signals.select_related("widget", "recorded_by").order_by("-observed_at")),
        "evaluation": evaluation,
        "status_form": forms.get("status") or StatusForm(),
        "signal_form": forms.get("signal") or SignalForm(widgets=widgets),
        "evaluation_form": forms.get("evaluation")
        or (
            EvaluationForm(initial={"score": evaluation.score, "rationale": evaluation.rationale})
            if evaluation
            else EvaluationForm()
        )
        if may_evaluate
        else None,
        "pre_post": selectors.pre_post(deployment, widget_ids, _window(request)),
        "windows": selectors.WINDOWS,
        "action_error": action_error,
    }
    return TemplateResponse(request, "outcomes/deployment_detail.html", context, status=status)


@login_required
@require_GET
def deployment_detail(request, slug, deployment_id):
    access = get_hub_for_user(request, slug)
    deployment = get_deployment(access, deployment_id)
    if request.htmx and request.GET.get("window"):
        context = {
            "pre_post": selectors.pre_post(
                deployment, selectors.decision_widget_ids(deployment.decision), _window(request)
            ),
            "windows": selectors.WINDOWS,
            "hub": access.hub,
            "deployment": deployment,
        }
        return TemplateResponse(request, "outcomes/deployment_detail.html#pre-post", context)
    return deployment_page_response(request, access, deployment)


def _post_action(request, slug, deployment_id, key, make_form, apply):
    """Validate the deployment page's form `key` and apply it; the page again with the errors otherwise."""
    access = get_hub_for_user(request, slug)
    deployment = get_deployment(access, deployment_id)
    require(access.can_record_outcomes, "Viewers read outcomes; stewards and reviewers record them.")
    form = make_form(deployment, request.POST)
    if not form.is_valid():
        return deployment_page_response(request, access, deployment, forms={key: form}, status=422)
    try:
        apply(deployment, request.user, form.cleaned_data)
    except OutcomeError as error:
        return deployment_page_response(
            request, access, deployment, forms={key: form}, action_error=str(error), status=409
        )
    return redirect("outcomes:deployment", access.hub.slug, deployment.pk)


@login_required
@require_POST
def status_add(request, slug, deployment_id):
    return _post_action(
        request,
        slug,
        deployment_id,
        "status",
        lambda deployment, data: StatusForm(data),
        lambda deployment, user, data: services.deployment_status_record(
            deployment=deployment, actor=user, **data
        ),
    )


@login_required
@require_POST
def signal_add(request, slug, deployment_id):
    return _post_action(
        request,
        slug,
        deployment_id,
        "signal",
        lambda deployment, data: SignalForm(data, widgets=_widgets_behind(deployment)),
        lambda deployment, user, data: services.signal_record(deployment=deployment, actor=user, **data),
    )


@login_required
@require_POST
def evaluation_submit(request, slug, deployment_id):
    return _post_action(
        request,
        slug,
        deployment_id,
        "evaluation",
        lambda deployment, data: EvaluationForm(data),
        lambda deployment, user, data: services.evaluation_submit(deployment=deployment, actor=user, **data),
    )


@login_required
@require_GET
def deployment_trace(request, slug, deployment_id):
    access = get_hub_for_user(request, slug)
    deployment = get_deployment(access, deployment_id)
    context = {"access": access, "hub": access.hub, **trace.deployment_trace(deployment)}
    return TemplateResponse(request, "outcomes/deployment_trace.html", context)


@login_required
@require_GET
def widget_trace(request, slug, widget_id):
    access = get_hub_for_user(request, slug)
    widget = get_widget(access, widget_id)
    context = {"access": access, "hub": access.hub, "widget": widget, "chains": trace.widget_trace(widget)}
    return TemplateResponse(request, "outcomes/widget_trace.html", context)


REGRESSIONS_PER_PAGE = 50


def _regressions_context(request, access, query, resolve_error=None, resolving=None):
    """A page of the hub's regressions (open ones, or all with ?show=all); the resolve form shows in one
    row only (?resolve=), loaded on demand: a form in each of hundreds of rows made the page heavy."""
    show = "all" if query.get("show") == "all" else "open"
    regressions = (
        Regression.objects.filter(hub=access.hub)
        .select_related("widget", "annotation", "deployment", "signal", "resolved_by")
        .order_by("-detected_at", "-pk")
    )
    if show != "all":
        regressions = regressions.filter(resolved_at__isnull=True)
    page = Paginator(regressions, REGRESSIONS_PER_PAGE).get_page(query.get("page"))
    return {
        "access": access,
        "hub": access.hub,
        "page": page,
        "regressions": page.object_list,
        "show": show,
        "resolving": resolving or parse_uuid(query.get("resolve")),
        "resolve_error": resolve_error,
    }


@login_required
@require_GET
def regression_list(request, slug):
    access = get_hub_for_user(request, slug)
    resolving = parse_uuid(request.GET.get("resolve"))
    if request.htmx and resolving and access.can_record_outcomes:
        regression = get_object_or_404(
            Regression.objects.select_related("widget", "annotation", "deployment", "signal"),
            pk=resolving,
            hub=access.hub,
        )
        context = {"access": access, "hub": access.hub, "r": regression, "resolving": regression.pk}
        return TemplateResponse(request, "outcomes/regressions.html#row", context)
    return TemplateResponse(
        request, "outcomes/regressions.html", _regressions_context(request, access, request.GET)
    )


@login_required
@require_POST
def regression_resolve(request, slug, regression_id):
    access = get_hub_for_user(request, slug)
    regression = get_object_or_404(Regression, pk=regression_id, hub=access.hub)
    require(access.can_record_outcomes, "Viewers cannot resolve regressions.")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        context = _regressions_context(
            request, access, request.GET, resolve_error=form.errors["note"][0], resolving=regression.pk
        )
        return TemplateResponse(request, "outcomes/regressions.html", context, status=422)
    regression.resolve(actor=request.user, note=form.cleaned_data["note"])
    return redirect("outcomes:regressions", access.hub.slug)


PANELS = {
    "deployments": (
        "Recent deployments and their signals",
        lambda hub: {"deployments": selectors.recent_deployments(hub)},
    ),
    "regressions": (
        "Open regressions",
        lambda hub: {"regressions": selectors.open_regressions(hub, limit=10)},
    ),
    "recurrence": (
        "Widgets that keep coming back",
        lambda hub: {"leaderboard": selectors.recurrence_leaderboard(hub)},
    ),
    "scores": ("Evaluation scores", lambda hub: {"scores": selectors.score_distribution(hub)}),
    "waiting": ("Waiting at each stage", lambda hub: {"stages": selectors.waiting_by_stage(hub)}),
}


@login_required
@require_GET
def dashboard(request, slug):
    access = get_hub_for_user(request, slug)
    panels = [{"key": key, "title": title, **load(access.hub)} for key, (title, load) in PANELS.items()]
    context = {
        "access": access,
        "hub": access.hub,
        "panels": panels,
        "refresh": settings.IHF_DASHBOARD_REFRESH_SECONDS,
    }
    return TemplateResponse(request, "outcomes/dashboard.html", context)


@login_required
@require_GET
def dashboard_panel(request, slug, panel):
    access = get_hub_for_user(request, slug)
    if panel not in PANELS:
        raise Http404("No such panel.")
    title, load = PANELS[panel]
    context = {
        "access": access,
        "hub": access.hub,
        "refresh": settings.IHF_DASHBOARD_REFRESH_SECONDS,
        "panel": {"key": panel, "title": title, **load(access.hub)},
    }
    return TemplateResponse(request, "outcomes/includes/panel.html", context)
