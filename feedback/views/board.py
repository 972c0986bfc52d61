"""The triage board and the actions it posts: the page (or its #board fragment), status changes and
assignments. An htmx action answers with only the columns it changed (out-of-band swaps); without
JavaScript it redirects back to the board with its filters."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from feedback import selectors, services
from feedback.forms_triage import (
    AssignForm,
    BoardFilterForm,
    DuplicateSearchForm,
    MoreCardsForm,
    TransitionForm,
    WidgetNameForm,
)
from feedback.models import CandidateStatus, Category, RequirementCandidate, SavedBoardView
from feedback.services import TriageError
from feedback.views.candidates import candidate_page_response
from hubs.access import get_hub_for_user, require
from hubs.models import Widget
from ihf.ids import parse_uuid

LIST_PAGE_SIZE = 25
# Up to this many widgets the Widget filter is a list; a hub with more gets a name box with suggestions
# fetched as one types (a 1,000-option list was 70 KB of every board page).
WIDGET_CHOICES_LIMIT = 100
# Query parameters of one request, not of the filters a board link or saved view carries.
NOT_FILTERS = {"page", "more", "shown"}
WIDGET_SUGGESTIONS = 20


def board_context(request, access, query):
    """Everything the board page (or its #board fragment) shows for the filters in `query`."""
    form, filters = _filters(query)
    candidates = selectors.board_candidates(access.hub, filters, request.user)
    view = filters.get("view") or "board"
    board_query = _filters_query(query)
    widgets = list(
        Widget.objects.filter(hub=access.hub)
        .order_by("name")
        .values_list("pk", "name")[: WIDGET_CHOICES_LIMIT + 1]
    )
    many_widgets = len(widgets) > WIDGET_CHOICES_LIMIT
    if many_widgets:
        # The one widget a link chose (a widget page's "triage" link) stays named, with "Any widget".
        widgets = (
            list(Widget.objects.filter(hub=access.hub, pk=filters["widget"]).values_list("pk", "name"))
            if filters.get("widget")
            else []
        )
    context = {
        "access": access,
        "hub": access.hub,
        "filter_form": form,
        "filters": filters,
        "board_query": board_query,
        "view": view,
        "assignable": list(services.assignable_members(access.hub).order_by("user__name")),
        "widget_types": Widget.objects.filter(hub=access.hub)
        .order_by("widget_type")
        .values_list("widget_type", flat=True)
        .distinct(),
        "widgets": widgets,
        "many_widgets": many_widgets,
        "categories": Category.choices,
        "statuses": CandidateStatus.choices,
        "saved_views": list(SavedBoardView.objects.visible_to(access.hub, request.user)),
    }
    if view == "list":
        context["page"] = Paginator(candidates, LIST_PAGE_SIZE).get_page(query.get("page"))
    else:
        context["columns"] = _columns(candidates, filters)
    return context


def _filters(query):
    """The filter form for `query`, and its filters (none when it is not valid: the page says why)."""
    form = BoardFilterForm(query)
    return form, (form.cleaned_data if form.is_valid() else {})


def _filters_query(query) -> str:
    """The board's filters in `query` as a query string, for its links and forms."""
    return urlencode({k: v for k, v in query.items() if k not in NOT_FILTERS and v})


def _columns(candidates, filters, statuses=None):
    filtered = any(value for name, value in filters.items() if name not in {"sort", "view"})
    return selectors.board_columns(candidates, filters.get("sort"), statuses, filtered=filtered)


@login_required
@require_GET
def board(request, slug):
    access = get_hub_for_user(request, slug)
    if "more" in request.GET and request.htmx:
        return more_cards(request, access)
    context = board_context(request, access, request.GET)
    status = 400 if context["filter_form"].errors else 200
    template = "feedback/board.html#board" if request.htmx else "feedback/board.html"
    return TemplateResponse(request, template, context, status=status)


def more_cards(request, access):
    """A column's next cards after the `shown` first (its "Show more" button): the cards, appended to the
    column, and the button again, out of band, while more follow."""
    column = MoreCardsForm(request.GET)
    query = request.GET.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    filters = BoardFilterForm(query)
    for form in (column, filters):
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            return HttpResponse(f"{field}: {errors[0]}", status=400, content_type="text/plain")
    status, shown = column.cleaned_data["more"], column.cleaned_data["shown"]
    candidates = selectors.board_candidates(access.hub, filters.cleaned_data, request.user)
    cards, has_more = selectors.column_cards(candidates, status, shown)
    context = {
        "access": access,
        "hub": access.hub,
        "board_query": _filters_query(query),
        "status": status,
        "label": CandidateStatus(status).label,
        "more_cards": cards,
        "shown": shown + len(cards),
        "has_more": has_more,
    }
    return TemplateResponse(request, "feedback/board.html#more", context)


@login_required
@require_GET
def widget_names(request, slug):
    """Suggestions for the Widget name box of a hub with many widgets: the first names containing what was
    typed, as the options of its datalist."""
    access = get_hub_for_user(request, slug)
    form = WidgetNameForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            f"widget_name: {form.errors['widget_name'][0]}", status=400, content_type="text/plain"
        )
    typed = form.cleaned_data["widget_name"]
    widgets = Widget.objects.filter(hub=access.hub)
    if typed:
        widgets = widgets.filter(name__icontains=typed)
    names = widgets.order_by("name").values_list("name", flat=True)[:WIDGET_SUGGESTIONS]
    return TemplateResponse(request, "feedback/board.html#widget_names", {"names": names})


def changed_columns(request, access, board_query, statuses):
    """The board's columns for `statuses` only, each marked for an out-of-band swap (htmx): only what a
    column draws, not the filter lists and saved views of the whole page."""
    query = QueryDict(board_query)
    _, filters = _filters(query)
    if (filters.get("view") or "board") != "board":
        return ""
    candidates = selectors.board_candidates(access.hub, filters, request.user)
    columns = _columns(candidates, filters, statuses)
    # `columns` too, though each is drawn alone: the cards' tags read what the columns hold at once.
    context = {
        "access": access,
        "hub": access.hub,
        "board_query": _filters_query(query),
        "columns": columns,
    }
    return "".join(
        render_to_string("feedback/board.html#column", {**context, "column": c, "oob": True}, request)
        for c in columns
    )


def _after_action(request, access, candidate, changed, error=None):
    """Answer a triage action. `return_to` says where its form was: the board (a card dragged to another
    column), the candidate's actions (the dialog, or its page without JavaScript) or the candidate page."""
    return_to = request.POST.get("return_to", "board")
    board_query = request.POST.get("board_query", "")
    if return_to == "candidate":
        if error is None:
            return redirect("feedback:candidate", access.hub.slug, candidate.pk)
        return candidate_page_response(request, access, candidate.pk, action_error=error, status=422)
    if not request.htmx:
        if error is None:
            url = reverse("feedback:board", args=[access.hub.slug])
            return redirect(f"{url}?{QueryDict(board_query).urlencode()}" if board_query else url)
        if return_to == "actions":
            return actions_response(request, access, candidate.pk, board_query, error=error, status=422)
        context = board_context(request, access, QueryDict(board_query))
        context["action_error"] = error
        return TemplateResponse(request, "feedback/board.html", context, status=422)
    # htmx: the changed columns out of band (after a refusal, the card's own column, which puts back a
    # card dragged elsewhere), the message as a toast, and the dialog's content when it came from there.
    if error is None:
        body = ""
    else:
        messages.error(request, f"“{candidate.title}”: {error}")
        changed = changed | {candidate.status}
        if return_to == "actions":
            body = actions_fragment(request, access, candidate.pk, board_query, error=error)
        else:
            body = ""
    body += changed_columns(request, access, board_query, changed)
    return HttpResponse(body, status=422 if error else 200)


def candidate_for(access, candidate_id) -> RequirementCandidate:
    candidate = (
        RequirementCandidate.objects.for_hub(access.hub)
        .select_related("assignment")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def assignee_of(candidate):
    assignment = getattr(candidate, "assignment", None)
    return assignment.user_id if assignment else None


def _first_error(form):
    return next(iter(form.errors.values()))[0]


@login_required
@require_POST
def transition(request, slug, candidate_id):
    access = get_hub_for_user(request, slug)
    candidate = candidate_for(access, candidate_id)
    require(
        access.can_triage(assignee_of(candidate)),
        "Only stewards, and the assigned reviewer, change a candidate's status.",
    )
    form = TransitionForm(request.POST, hub=access.hub)
    if not form.is_valid():
        return _after_action(request, access, candidate, set(), error=_first_error(form))
    target = form.cleaned_data["target"]
    try:
        services.candidate_transition(
            hub=access.hub,
            candidate_id=candidate_id,
            actor=request.user,
            target=target,
            notes=form.cleaned_data["notes"],
            expected_status=form.cleaned_data["expected_status"] or None,
            duplicate_of=form.cleaned_data["duplicate_of"],
        )
    except TriageError as error:
        # A card dragged from `expected_status` to `target` goes back where it now belongs.
        seen = {target, form.cleaned_data["expected_status"]} - {""}
        candidate.refresh_from_db(fields=["status"])
        return _after_action(request, access, candidate, seen, error=str(error))
    messages.success(request, f"“{candidate.title}” moved to {CandidateStatus(target).label}.")
    return _after_action(request, access, candidate, {candidate.status, target})


@login_required
@require_POST
def assign(request, slug, candidate_id):
    access = get_hub_for_user(request, slug)
    candidate = candidate_for(access, candidate_id)
    require(access.can_assign, "Only stewards assign reviewers.")
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _after_action(request, access, candidate, set(), error=_first_error(form))
    try:
        assignment = services.candidate_assign(
            hub=access.hub,
            candidate_id=candidate_id,
            actor=request.user,
            reviewer_id=form.cleaned_data["reviewer"],
            notes=form.cleaned_data["notes"],
        )
    except TriageError as error:
        return _after_action(request, access, candidate, set(), error=str(error))
    messages.success(request, f"“{candidate.title}” assigned to {assignment.user}.")
    return _after_action(request, access, candidate, {candidate.status})


def _actions_context(request, access, candidate_id, board_query, error=None):
    candidate = candidate_for(access, candidate_id)
    return {
        "access": access,
        "hub": access.hub,
        "candidate": candidate,
        "may_triage": access.can_triage(assignee_of(candidate)),
        "assignable": list(services.assignable_members(access.hub).order_by("user__name")),
        "board_query": board_query,
        "action_error": error,
    }


def actions_fragment(request, access, candidate_id, board_query, error=None) -> str:
    context = _actions_context(request, access, candidate_id, board_query, error)
    return render_to_string("feedback/candidate_actions.html#actions", context, request)


def actions_response(request, access, candidate_id, board_query, *, error=None, status=200):
    context = _actions_context(request, access, candidate_id, board_query, error)
    template = (
        "feedback/candidate_actions.html#actions" if request.htmx else "feedback/candidate_actions.html"
    )
    return TemplateResponse(request, template, context, status=status)


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
