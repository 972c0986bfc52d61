from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from feedback.models import RequirementCandidate
from governance import services
from governance.forms import ChangeReferenceForm, DecisionForm, PolicyReferenceForm, PromoteForm
from governance.models import DecisionRecord
from governance.selectors import get_decision, get_requirement
from governance.services import GovernanceError
from hubs.access import get_hub_for_user, require
from ihf.ids import parse_uuid


@login_required
@require_http_methods(["GET", "POST"])
def promote(request, slug, candidate_id):
    access = get_hub_for_user(request, slug)
    candidate = get_object_or_404(RequirementCandidate.objects.for_hub(access.hub), pk=candidate_id)
    require(access.can_decide, "Viewers cannot promote candidates.")
    form = PromoteForm(
        request.POST or None, initial={"title": candidate.title, "description": candidate.description}
    )
    error, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                requirement = services.requirement_promote(
                    hub=access.hub, candidate_id=candidate.pk, actor=request.user, **form.cleaned_data
                )
            except GovernanceError as exc:
                error, status = str(exc), 409
            else:
                return redirect("governance:requirement", access.hub.slug, requirement.pk)
    context = {
        "access": access,
        "hub": access.hub,
        "candidate": candidate,
        "form": form,
        "action_error": error,
    }
    return TemplateResponse(request, "governance/promote.html", context, status=status)


@login_required
@require_GET
def requirement_detail(request, slug, requirement_id):
    access = get_hub_for_user(request, slug)
    requirement = get_requirement(access, requirement_id)
    decisions = list(
        DecisionRecord.objects.filter(requirement=requirement)
        .select_related("decided_by", "superseded_by")
        .order_by("-decided_at")
    )
    context = {"access": access, "hub": access.hub, "requirement": requirement, "decisions": decisions}
    return TemplateResponse(request, "governance/requirement_detail.html", context)


def _decision_subject(access, request):
    """The requirement or candidate a new decision is about, from the query string (or the form)."""
    source = request.POST if request.method == "POST" else request.GET
    supersedes = None
    if source.get("supersedes"):
        supersedes = get_decision(access, _uuid(source["supersedes"]))
        return supersedes.requirement, supersedes.candidate, supersedes
    if source.get("requirement"):
        return get_requirement(access, _uuid(source["requirement"])), None, None
    if source.get("candidate"):
        candidate = get_object_or_404(
            RequirementCandidate.objects.for_hub(access.hub), pk=_uuid(source["candidate"])
        )
        return None, candidate, None
    raise Http404("A decision needs a requirement or a candidate.")


def _uuid(value):
    parsed = parse_uuid(value)
    if parsed is None:
        raise Http404("No such record.")
    return parsed


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request, slug):
    access = get_hub_for_user(request, slug)
    requirement, candidate, supersedes = _decision_subject(access, request)
    require(access.can_decide, "Viewers read decisions; stewards and reviewers record them.")
    subject = requirement or candidate
    initial = {"title": Truncator(f"Decision on: {subject.title}").chars(200)}
    form = DecisionForm(request.POST or None, initial=initial)
    error, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                decision = services.decision_record(
                    hub=access.hub,
                    actor=request.user,
                    requirement=requirement,
                    candidate=candidate,
                    supersedes=supersedes,
                    **form.cleaned_data,
                )
            except GovernanceError as exc:
                error, status = str(exc), 409
            else:
                return redirect("governance:decision", access.hub.slug, decision.pk)
    context = {
        "access": access,
        "hub": access.hub,
        "form": form,
        "requirement": requirement,
        "candidate": candidate,
        "supersedes": supersedes,
        "action_error": error,
    }
    return TemplateResponse(request, "governance/decision_form.html", context, status=status)


def decision_page_response(request, access, decision, *, policy_form=None, change_form=None, status=200):
    context = {
        "access": access,
        "hub": access.hub,
        "decision": decision,
        "policy_references": list(decision.policy_references.order_by("created_at")),
        "change_references": list(decision.change_references.order_by("linked_at")),
        "deployments": list(decision.deployments.order_by("-deployed_at")),
        "policy_form": policy_form or PolicyReferenceForm(),
        "change_form": change_form or ChangeReferenceForm(),
    }
    return TemplateResponse(request, "governance/decision_detail.html", context, status=status)


@login_required
@require_GET
def decision_detail(request, slug, decision_id):
    access = get_hub_for_user(request, slug)
    return decision_page_response(request, access, get_decision(access, decision_id))


@login_required
@require_POST
def policy_reference_add(request, slug, decision_id):
    access = get_hub_for_user(request, slug)
    decision = get_decision(access, decision_id)
    require(access.can_decide, "Viewers cannot add references.")
    form = PolicyReferenceForm(request.POST)
    if not form.is_valid():
        return decision_page_response(request, access, decision, policy_form=form, status=422)
    services.policy_reference_add(decision=decision, actor=request.user, **form.cleaned_data)
    return redirect("governance:decision", access.hub.slug, decision.pk)


@login_required
@require_POST
def change_reference_add(request, slug, decision_id):
    access = get_hub_for_user(request, slug)
    decision = get_decision(access, decision_id)
    require(access.can_decide, "Viewers cannot add references.")
    form = ChangeReferenceForm(request.POST)
    if not form.is_valid():
        return decision_page_response(request, access, decision, change_form=form, status=422)
    services.change_reference_add(decision=decision, actor=request.user, **form.cleaned_data)
    return redirect("governance:decision", access.hub.slug, decision.pk)
