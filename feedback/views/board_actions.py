"""What the board does beyond one card's status: a card's actions (the dialog, or its page without
JavaScript), bulk assignment and moves, and saved views."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from feedback import services
from feedback.models import CandidateStatus, SavedBoardView
from feedback.services import TriageError
from feedback.views.board import actions_response, board_context, candidate_for
from hubs.access import get_hub_for_user, require
from ihf.ids import parse_uuid

BULK_NOTHING_PICKED = "Pick at least one candidate."
BULK_NO_ACTION = "Pick what to do with them."
VIEW_NAME_TAKEN = "You already have a view of that name on this board."


@login_required
@require_GET
def candidate_actions(request, slug, candidate_id):
    """A card's actions: the board's dialog loads them with htmx; without JavaScript they are a page."""
    access = get_hub_for_user(request, slug)
    query = request.GET.copy()
    return actions_response(request, access, candidate_id, query.urlencode())


class BulkForm(forms.Form):
    """`picked`: "<candidate id>:<the status the steward saw>"; `action`: "assign:<user id>" or
    "move:<status>"."""

    action = forms.CharField(error_messages={"required": BULK_NO_ACTION})

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.picked = []
        for value in data.getlist("picked"):
            pk, _, status = value.partition(":")
            if parse_uuid(pk) and status in CandidateStatus.values:
                self.picked.append((parse_uuid(pk), status))

    def clean_action(self):
        kind, _, value = self.cleaned_data["action"].partition(":")
        if kind == "move" and value in CandidateStatus.values:
            return kind, value
        if kind == "assign" and parse_uuid(value):
            return kind, parse_uuid(value)
        raise forms.ValidationError(BULK_NO_ACTION)

    def clean(self):
        if not self.picked:
            raise forms.ValidationError(BULK_NOTHING_PICKED)
        return self.cleaned_data


@login_required
@require_POST
def bulk(request, slug):
    """Assign or move the picked candidates in one transaction. A candidate someone changed since the
    board was loaded (or that may not go there) is left as it is and reported by name; the rest go."""
    access = get_hub_for_user(request, slug)
    require(access.can_assign, "Only stewards act on several candidates at once.")
    form = BulkForm(request.POST)
    board_query = request.POST.get("board_query", "")
    if not form.is_valid():
        context = board_context(request, access, QueryDict(board_query))
        context["action_error"] = next(iter(form.errors.values()))[0]
        template = "feedback/board.html#board" if request.htmx else "feedback/board.html"
        return TemplateResponse(request, template, context, status=422)
    kind, value = form.cleaned_data["action"]
    done, refused = 0, []
    with transaction.atomic():
        for candidate_id, seen in form.picked:
            candidate = candidate_for(access, candidate_id)
            try:
                with transaction.atomic():
                    if kind == "move":
                        services.candidate_transition(
                            hub=access.hub,
                            candidate_id=candidate_id,
                            actor=request.user,
                            target=value,
                            expected_status=seen,
                        )
                    else:
                        services.candidate_assign(
                            hub=access.hub, candidate_id=candidate_id, actor=request.user, reviewer_id=value
                        )
                done += 1
            except TriageError as error:
                refused.append(f"“{candidate.title}”: {error}")
    what = f"moved to {CandidateStatus(value).label}" if kind == "move" else "assigned"
    if done:
        messages.success(request, f"{done} candidate{'s' if done != 1 else ''} {what}.")
    for line in refused:
        messages.warning(request, line)
    if request.htmx:
        context = board_context(request, access, QueryDict(board_query))
        return TemplateResponse(request, "feedback/board.html#board", context)
    url = reverse("feedback:board", args=[access.hub.slug])
    return redirect(f"{url}?{board_query}" if board_query else url)


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=80, strip=True, error_messages={"required": "Name the view."})
    shared = forms.BooleanField(required=False)
    board_query = forms.CharField(required=False, max_length=2000)


@login_required
@require_POST
def saved_view_create(request, slug):
    """Save the board's current filters under a name; any member may keep views, and share them."""
    access = get_hub_for_user(request, slug)
    form = SavedViewForm(request.POST)
    url = reverse("feedback:board", args=[access.hub.slug])
    if form.is_valid():
        query = QueryDict(form.cleaned_data["board_query"]).copy()
        query.pop("page", None)
        try:
            with transaction.atomic():
                view = SavedBoardView.objects.create(
                    hub=access.hub,
                    owner=request.user,
                    name=form.cleaned_data["name"],
                    shared=form.cleaned_data["shared"],
                    query=query.urlencode(),
                )
        except IntegrityError:
            error = VIEW_NAME_TAKEN
        else:
            messages.success(
                request, f"View “{view.name}” saved{' and shared with the hub' if view.shared else ''}."
            )
            return redirect(f"{url}?{view.query}" if view.query else url)
    else:
        error = next(iter(form.errors.values()))[0]
    context = board_context(request, access, QueryDict(request.POST.get("board_query", "")))
    context["view_error"] = error
    return TemplateResponse(request, "feedback/board.html", context, status=422)


@login_required
@require_POST
def saved_view_delete(request, slug, view_id):
    access = get_hub_for_user(request, slug)
    view = get_object_or_404(SavedBoardView.objects.visible_to(access.hub, request.user), pk=view_id)
    require(view.owner_id == request.user.pk, "Only the view's owner deletes it.")
    view.delete()
    messages.success(request, f"View “{view.name}” deleted.")
    return redirect("feedback:board", access.hub.slug)
