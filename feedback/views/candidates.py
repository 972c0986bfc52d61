from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import Truncator
from django.views.decorators.http import require_http_methods

from feedback import selectors, services
from feedback.forms import EscalateForm
from feedback.forms_triage import DuplicateSearchForm
from feedback.models import Annotation, AnnotationThread, RequirementCandidate
from hubs.access import get_hub_for_user, require


def _get_candidate(access, candidate_id) -> RequirementCandidate:
    queryset = selectors.with_worst_severity(
        RequirementCandidate.objects.for_hub(access.hub).select_related(
            "source_widget",
            "source_thread",
            "source_annotation",
            "assignment__user",
            "duplicate_of",
            "created_by",
        )
    )
    return get_object_or_404(queryset, pk=candidate_id)


def candidate_page_response(request, access, candidate_id, *, action_error=None, status=200):
    candidate = _get_candidate(access, candidate_id)
    assignment = getattr(candidate, "assignment", None)
    dup_form = DuplicateSearchForm({"q": request.GET.get("dup_q", "")})
    dup_query = dup_form.cleaned_data["q"][:200] if dup_form.is_valid() else ""
    if dup_form.errors and status == 200:
        status = 400
    context = {
        "access": access,
        "hub": access.hub,
        "candidate": candidate,
        "assignment": assignment,
        "can_triage": access.can_triage(assignment.user_id if assignment else None),
        "timeline": selectors.candidate_timeline(candidate),
        "duplicates": list(candidate.duplicates.order_by("created_at")),
        "assignable": list(services.assignable_members(access.hub).order_by("user__name")),
        "dup_query": dup_query,
        "dup_error": f"dup_q: {dup_form.errors['q'][0]}" if dup_form.errors else None,
        "dup_results": selectors.duplicate_search(access.hub, dup_query, exclude=candidate.pk)
        if dup_query
        else None,
        "action_error": action_error,
    }
    return TemplateResponse(request, "feedback/candidate_detail.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def candidate_detail(request, slug, candidate_id):
    access = get_hub_for_user(request, slug)
    return candidate_page_response(request, access, candidate_id)


@login_required
@require_http_methods(["GET", "POST"])
def escalate(request, slug, source, source_id):
    """Escalate an annotation or a thread to a requirement candidate."""
    access = get_hub_for_user(request, slug)
    if source == "annotation":
        annotation = get_object_or_404(
            Annotation.objects.select_related("widget", "thread"), pk=source_id, widget__hub=access.hub
        )
        thread, widget = None, annotation.widget
        initial = {
            "title": Truncator(annotation.body).chars(120),
            "description": annotation.body,
            "category": annotation.category,
        }
    elif source == "thread":
        thread = get_object_or_404(
            AnnotationThread.objects.select_related("widget"), pk=source_id, widget__hub=access.hub
        )
        annotation, widget = None, thread.widget
        initial = {"title": thread.title, "description": thread.description or thread.title}
    else:
        raise Http404("Unknown source.")
    require(access.can_escalate, "Viewers cannot escalate feedback.")
    form = EscalateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            candidate = services.candidate_escalate(
                actor=request.user, widget=widget, annotation=annotation, thread=thread, **form.cleaned_data
            )
            return redirect("feedback:candidate", access.hub.slug, candidate.pk)
        status = 422
    else:
        status = 200
    context = {
        "access": access,
        "hub": access.hub,
        "widget": widget,
        "annotation": annotation,
        "thread": thread,
        "form": form,
    }
    return TemplateResponse(request, "feedback/escalate.html", context, status=status)
