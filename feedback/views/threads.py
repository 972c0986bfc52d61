from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from feedback import services
from feedback.forms import MoveAnnotationsForm, RetractForm, ThreadForm
from feedback.models import Annotation, AnnotationThread
from feedback.services import TriageError
from feedback.views.widgets import widget_page_response
from hubs.access import get_hub_for_user, require
from hubs.selectors import get_widget


def _thread_context(access, thread, move_form):
    return {
        "access": access,
        "hub": access.hub,
        "thread": thread,
        "widget": thread.widget,
        "annotations": list(thread.annotations.with_actor_name().order_by("created_at")),
        "candidates": list(thread.candidates.order_by("-created_at")),
        "move_form": move_form,
    }


@login_required
@require_GET
def thread_detail(request, slug, thread_id):
    access = get_hub_for_user(request, slug)
    thread = get_object_or_404(
        AnnotationThread.objects.select_related("widget"), pk=thread_id, widget__hub=access.hub
    )
    move_form = MoveAnnotationsForm(thread=thread) if access.can_manage_threads else None
    return TemplateResponse(
        request, "feedback/thread_detail.html", _thread_context(access, thread, move_form)
    )


@login_required
@require_POST
def thread_move(request, slug, thread_id):
    access = get_hub_for_user(request, slug)
    thread = get_object_or_404(
        AnnotationThread.objects.select_related("widget"), pk=thread_id, widget__hub=access.hub
    )
    require(access.can_manage_threads, "Only stewards organise threads.")
    form = MoveAnnotationsForm(request.POST, thread=thread)
    if not form.is_valid():
        return TemplateResponse(
            request, "feedback/thread_detail.html", _thread_context(access, thread, form), status=422
        )
    moved = services.thread_move_annotations(
        thread=thread, annotation_ids=[a.pk for a in form.cleaned_data["annotations"]]
    )
    messages.success(request, f"Moved {moved} annotation(s) into this thread.")
    return redirect("feedback:thread", access.hub.slug, thread.pk)


def _annotation_for(access, annotation_id) -> Annotation:
    return get_object_or_404(
        Annotation.objects.select_related("widget"), pk=annotation_id, widget__hub=access.hub
    )


def _widget_url(access, annotation):
    return (
        reverse("feedback:widget", args=[access.hub.slug, annotation.widget_id])
        + f"#annotation-{annotation.pk}"
    )


@login_required
@require_POST
def thread_open(request, slug, annotation_id):
    access = get_hub_for_user(request, slug)
    annotation = _annotation_for(access, annotation_id)
    require(access.can_manage_threads, "Only stewards open threads.")
    form = ThreadForm(request.POST)
    if not form.is_valid():
        return _widget_error(request, access, annotation, f"Thread not opened: {form.errors['title'][0]}")
    thread = services.thread_open(annotation=annotation, actor=request.user, **form.cleaned_data)
    return redirect("feedback:thread", access.hub.slug, thread.pk)


@login_required
@require_POST
def annotation_retract(request, slug, annotation_id):
    access = get_hub_for_user(request, slug)
    annotation = _annotation_for(access, annotation_id)
    require(access.can_retract(annotation), "Only stewards and the author retract an annotation.")
    form = RetractForm(request.POST)
    if not form.is_valid():
        return _widget_error(request, access, annotation, f"Not retracted: {form.errors['reason'][0]}")
    try:
        services.annotation_retract(
            annotation=annotation, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except TriageError as error:
        return _widget_error(request, access, annotation, str(error), status=409)
    messages.success(request, "Annotation retracted.")
    return redirect(_widget_url(access, annotation))


def _widget_error(request, access, annotation, message, status=422):
    widget = get_widget(access, annotation.widget_id)
    return widget_page_response(request, access, widget, action_error=message, status=status)
