from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assist import model, neighbours, review, selectors
from assist.forms import InboxFilterForm, ReviewForm, SimilarForm
from assist.models import AgentProposal, ProposalStatus, ProposalType, SubjectType
from governance.forms import PromoteForm
from hubs.access import get_hub_for_user, require

CANNOT_REVIEW = "Viewers cannot review proposals."
SIMILAR_MIN_CHARACTERS = 12


def _proposal(access, proposal_id) -> AgentProposal:
    # Another hub's proposal is a 404, like everything else of another hub.
    return get_object_or_404(
        selectors.with_related(AgentProposal.objects.for_hub(access.hub)), pk=proposal_id
    )


@login_required
@require_GET
def inbox(request, slug):
    access = get_hub_for_user(request, slug)
    form = InboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(
        selectors.inbox(
            access.hub,
            proposal_type=filters.get("type", ""),
            status=filters.get("status", ""),
            min_confidence=filters.get("min_confidence"),
        ),
        25,
    ).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "hub": access.hub,
        "form": form,
        "page": page,
        "panel": selectors.panel(access.hub),
    }
    return TemplateResponse(
        request, "assist/inbox.html", context, status=200 if form.is_valid() or not request.GET else 422
    )


@login_required
@require_GET
def proposal_detail(request, slug, proposal_id):
    access = get_hub_for_user(request, slug)
    proposal = _proposal(access, proposal_id)
    return TemplateResponse(
        request, "assist/proposal_detail.html", {"access": access, "hub": access.hub, "proposal": proposal}
    )


def _next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def proposal_review(request, slug, proposal_id):
    access = get_hub_for_user(request, slug)
    proposal = _proposal(access, proposal_id)
    require(access.can_annotate, CANNOT_REVIEW)
    form = ReviewForm(request.POST)
    error, status = None, 200
    if not form.is_valid():
        status = 422
    else:
        try:
            review.review(hub=access.hub, proposal_id=proposal.pk, actor=request.user, **form.cleaned_data)
        except review.ReviewError as exc:
            error, status = str(exc), 409
        else:
            done = {"accepted": "Accepted", "rejected": "Rejected", "modified": "Kept your version of"}
            messages.success(request, f"{done[form.cleaned_data['decision']]} the proposal.")
            if not request.htmx:
                return redirect(_next(request, proposal_url(access.hub.slug, proposal.pk)))
    proposal = _proposal(access, proposal_id)
    context = {
        "access": access,
        "hub": access.hub,
        "proposal": proposal,
        "review_form": form,
        "review_error": error,
    }
    if request.htmx:
        return TemplateResponse(request, "assist/includes/proposal.html", context, status=status)
    return TemplateResponse(request, "assist/proposal_detail.html", context, status=status)


def proposal_url(slug, proposal_id) -> str:
    from django.urls import reverse

    return reverse("assist:proposal", args=[slug, proposal_id])


@login_required
@require_http_methods(["GET", "POST"])
def promote_from_draft(request, slug, proposal_id):
    access = get_hub_for_user(request, slug)
    proposal = _proposal(access, proposal_id)
    require(access.can_decide, "Viewers cannot promote candidates.")
    if proposal.proposal_type != ProposalType.REQUIREMENT_DRAFT or not proposal.source_candidate_id:
        return redirect(proposal_url(access.hub.slug, proposal.pk))
    draft = proposal.details
    form = PromoteForm(
        request.POST or None,
        initial={"title": draft.get("title", ""), "description": review.draft_description(draft)},
    )
    form.fields["description"].widget.attrs["rows"] = 14  # the draft's criteria should be readable at once
    error, status = None, 200
    if proposal.status != ProposalStatus.PENDING:
        error, status = f"This draft is already {proposal.get_status_display().lower()}.", 409
    elif request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                requirement = review.promote_from_draft(
                    hub=access.hub, proposal_id=proposal.pk, actor=request.user, **form.cleaned_data
                )
            except review.ReviewError as exc:
                error, status = str(exc), 409
            else:
                messages.success(request, "Promoted to a requirement from the AI draft.")
                return redirect("governance:requirement", access.hub.slug, requirement.pk)
    context = {"access": access, "hub": access.hub, "proposal": proposal, "form": form, "action_error": error}
    return TemplateResponse(request, "assist/promote_draft.html", context, status=status)


@login_required
@require_GET
def similar(request, slug):
    """Existing annotations and candidates like the text being typed (htmx, debounced by the page)."""
    access = get_hub_for_user(request, slug)
    # The annotation form sends its `body`, the escalation form its `title`: whichever field is being typed.
    form = SimilarForm(
        {"q": request.GET.get("q") or request.GET.get("body") or request.GET.get("title") or ""}
    )
    if not form.is_valid():
        return TemplateResponse(request, "assist/includes/similar.html", {"form": form}, status=422)
    text = form.cleaned_data["q"]
    found = {"annotations": [], "candidates": []}
    if len(text) >= SIMILAR_MIN_CHARACTERS:
        vector = model.encode([text])[0]
        hub_ids = [str(access.hub.pk)]
        found = {
            "annotations": neighbours.nearest(SubjectType.ANNOTATION, vector, hub_ids=hub_ids, k=5),
            "candidates": neighbours.nearest(SubjectType.CANDIDATE, vector, hub_ids=hub_ids, k=5),
        }
    context = {"access": access, "hub": access.hub, "text": text, **selectors.similar_items(found)}
    return TemplateResponse(request, "assist/includes/similar.html", context)
