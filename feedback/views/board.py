from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from feedback import selectors, services
from feedback.forms_triage import AssignForm, BoardFilterForm, DuplicateSearchForm, TransitionForm
from feedback.models import CandidateStatus, Category, RequirementCandidate
from feedback.services import TriageError
from feedback.views.candidates import candidate_page_response
from hubs.access import get_hub_for_user, require
from hubs.models import Widget
from ihf.ids import parse_uuid

LIST_PAGE_SIZE = 25


def _board_context(request, access, query):
    """Everything the board page (or its #board fragment) shows for the filters in `query`."""
    form = BoardFilterForm(query)
    filters = form.cleaned_data if form.is_valid() else {}
    candidates = selectors.board_candidates(access.hub, filters, request.user)
    view = filters.get("view") or "board"
    context = {
        "access": access,
        "hub": access.hub,
        "filter_form": form,
        "filters": filters,
        "board_query": urlencode({k: v for k, v in query.items() if k != "page" and v}),
        "view": view,
        "assignable": list(services.assignable_members(access.hub).order_by("user__name")),
        "widget_types": Widget.objects.filter(hub=access.hub)
        .order_by("widget_type")
        .values_list("widget_type", flat=True)
        .distinct(),
        "widgets": Widget.objects.filter(hub=access.hub).order_by("name").values_list("pk", "name"),
        "categories": Category.choices,
        "statuses": CandidateStatus.choices,
    }
    if view == "list":
        context["page"] = Paginator(candidates, LIST_PAGE_SIZE).get_page(query.get("page"))
    else:
        context["columns"] = selectors.board_columns(candidates, filters.get("sort"))
    return context


@login_required
@require_GET
def board(request, slug):
    access = get_hub_for_user(request, slug)
    context = _board_context(request, access, request.GET)
    status = 400 if context["filter_form"].errors else 200
    template = "feedback/board.html#board" if request.htmx else "feedback/board.html"
    return TemplateResponse(request, template, context, status=status)


def _after_action(request, access, candidate_id, error=None):
    """Answer a triage action: the re-rendered board for htmx, a redirect (or the page with the error)
    without it. `return_to` says which page the form was on."""
    return_to = request.POST.get("return_to", "board")
    board_query = QueryDict(request.POST.get("board_query", ""))
    if return_to == "candidate":
        if error is None:
            return redirect("feedback:candidate", access.hub.slug, candidate_id)
        return candidate_page_response(request, access, candidate_id, action_error=error, status=422)
    if error is None and not request.htmx:
        url = reverse("feedback:board", args=[access.hub.slug])
        return redirect(f"{url}?{board_query.urlencode()}" if board_query else url)
    context = _board_context(request, access, board_query)
    context["action_error"] = error
    template = "feedback/board.html#board" if request.htmx else "feedback/board.html"
    return TemplateResponse(request, template, context, status=422 if error else 200)


def _candidate_assignee(access, candidate_id):
    candidate = (
        RequirementCandidate.objects.for_hub(access.hub)
        .select_related("assignment")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise Http404("No such candidate.")
    assignment = getattr(candidate, "assignment", None)
    return assignment.user_id if assignment else None


def _first_error(form):
    return next(iter(form.errors.values()))[0]


@login_required
@require_POST
def transition(request, slug, candidate_id):
    access = get_hub_for_user(request, slug)
    require(
        access.can_triage(_candidate_assignee(access, candidate_id)),
        "Only stewards, and the assigned reviewer, change a candidate's status.",
    )
    form = TransitionForm(request.POST, hub=access.hub)
    if not form.is_valid():
        return _after_action(request, access, candidate_id, error=_first_error(form))
    try:
        services.candidate_transition(
            hub=access.hub,
            candidate_id=candidate_id,
            actor=request.user,
            target=form.cleaned_data["target"],
            notes=form.cleaned_data["notes"],
            expected_status=form.cleaned_data["expected_status"] or None,
            duplicate_of=form.cleaned_data["duplicate_of"],
        )
    except TriageError as error:
        return _after_action(request, access, candidate_id, error=str(error))
    return _after_action(request, access, candidate_id)


@login_required
@require_POST
def assign(request, slug, candidate_id):
    access = get_hub_for_user(request, slug)
    _candidate_assignee(access, candidate_id)
    require(access.can_assign, "Only stewards assign reviewers.")
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _after_action(request, access, candidate_id, error=_first_error(form))
    try:
        services.candidate_assign(
            hub=access.hub,
            candidate_id=candidate_id,
            actor=request.user,
            reviewer_id=form.cleaned_data["reviewer"],
            notes=form.cleaned_data["notes"],
        )
    except TriageError as error:
        return _after_action(request, access, candidate_id, error=str(error))
    return _after_action(request, access, candidate_id)


@login_required
@require_GET
def duplicate_search(request, slug):
    access = get_hub_for_user(request, slug)
    # The search boxes (board card, candidate page) are named dup_q, the candidate page's parameter, and
    # htmx sends the box as it is (hx-include); q is for any other caller.
    name = "dup_q" if "dup_q" in request.GET else "q"
    form = DuplicateSearchForm({"q": request.GET.get(name, "")})
    context = {"hub": access.hub, "candidate_id": request.GET.get("exclude")}
    if not form.is_valid():
        context["error"] = f"{name}: {form.errors['q'][0]}"
        return TemplateResponse(request, "feedback/includes/duplicate_results.html", context, status=400)
    context["results"] = selectors.duplicate_search(
        access.hub, form.cleaned_data["q"][:200], exclude=parse_uuid(request.GET.get("exclude"))
    )
    return TemplateResponse(request, "feedback/includes/duplicate_results.html", context)
