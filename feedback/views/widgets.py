from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from feedback import categories
from feedback.forms import AnnotationForm, WidgetFilterForm
from feedback.models import Annotation
from hubs.access import get_hub_for_user, require
from hubs.models import InteractionEvent, Widget, WidgetStatus
from hubs.selectors import RECENT_DAYS, get_widget, widgets_with_event_counts
from ihf.models import User

WIDGETS_PER_PAGE = 25
EVENTS_PER_PAGE = 20
ANNOTATIONS_PER_PAGE = 20


def _open_annotation_count():
    counts = (
        Annotation.objects.open()
        .filter(widget=OuterRef("pk"))
        .order_by()
        .values("widget")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


@login_required
@require_GET
def hub_detail(request, slug):
    access = get_hub_for_user(request, slug)
    hub = access.hub
    # Bad filters (as the board's): the page names them, lists every widget, and answers 400.
    filter_form = WidgetFilterForm(request.GET)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    widget_type, status = filters.get("type", ""), filters.get("status", "")

    widgets = Widget.objects.filter(hub=hub)
    if widget_type:
        widgets = widgets.filter(widget_type=widget_type)
    if status:
        widgets = widgets.filter(status=status)
    widgets = widgets_with_event_counts(widgets).annotate(open_annotations=_open_annotation_count())
    page = Paginator(widgets.order_by("widget_type", "name"), WIDGETS_PER_PAGE).get_page(
        request.GET.get("page")
    )

    widget_types = (
        Widget.objects.filter(hub=hub)
        .order_by("widget_type")
        .values_list("widget_type", flat=True)
        .distinct()
    )
    context = {
        "access": access,
        "hub": hub,
        "page": page,
        "widget_types": widget_types,
        "statuses": WidgetStatus.choices,
        "selected_type": widget_type,
        "selected_status": status,
        "filter_form": filter_form,
        "filter_query": request.GET.copy(),
        "recent_days": RECENT_DAYS,
    }
    template = "feedback/hub_detail.html#widget-table" if request.htmx else "feedback/hub_detail.html"
    return TemplateResponse(request, template, context, status=400 if filter_form.errors else 200)


def _annotations_page(request, widget):
    actor_name = User.objects.filter(pk=OuterRef("actor_id")).values("name")[:1]
    annotations = (
        Annotation.objects.filter(widget=widget)
        .annotate(actor_name=Subquery(actor_name))
        .order_by("-created_at")
    )
    return Paginator(annotations, ANNOTATIONS_PER_PAGE).get_page(request.GET.get("annotations_page"))


def _version_history(widget):
    """Versions newest first, each with the fields that changed from the version before it."""
    versions = list(widget.versions.order_by("-version"))
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        before = older.schema_snapshot if older else {}
        after = newer.schema_snapshot
        newer.changes = (
            [
                (field, before.get(field), after.get(field))
                for field in sorted(set(before) | set(after))
                if before.get(field) != after.get(field)
            ]
            if older
            else []
        )
    return versions


def _widget_context(request, access, widget, form):
    events = InteractionEvent.objects.filter(widget=widget).order_by("-occurred_at")
    event_page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("events_page"))
    return {
        "access": access,
        "hub": access.hub,
        "widget": widget,
        "versions": _version_history(widget),
        "event_page": event_page,
        "annotation_page": _annotations_page(request, widget),
        "open_annotations": Annotation.objects.open().filter(widget=widget).count(),
        "form": form,
        "recent_days": RECENT_DAYS,
    }


def widget_page_response(request, access, widget, *, form=None, action_error=None, status=200):
    if form is None and access.can_annotate:
        form = AnnotationForm()
    context = _widget_context(request, access, widget, form)
    context["action_error"] = action_error
    return TemplateResponse(request, "feedback/widget_detail.html", context, status=status)


@login_required
@require_GET
def widget_detail(request, slug, widget_id):
    access = get_hub_for_user(request, slug)
    widget = get_widget(access, widget_id)
    form = AnnotationForm() if access.can_annotate else None
    context = _widget_context(request, access, widget, form)
    if request.htmx and request.GET.get("events_page"):
        return TemplateResponse(request, "feedback/widget_detail.html#events", context)
    if request.htmx and request.GET.get("annotations_page"):
        return TemplateResponse(request, "feedback/widget_detail.html#annotations", context)
    return TemplateResponse(request, "feedback/widget_detail.html", context)


@login_required
@require_POST
def annotation_create(request, slug, widget_id):
    access = get_hub_for_user(request, slug)
    widget = get_widget(access, widget_id)
    require(access.can_annotate, "Viewers cannot add annotations.")
    form = AnnotationForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return TemplateResponse(
                request,
                "feedback/widget_detail.html#annotation-form",
                {"access": access, "hub": access.hub, "widget": widget, "form": form},
                status=422,
            )
        return widget_page_response(request, access, widget, form=form, status=422)
    annotation = categories.create_annotation(
        **form.cleaned_data, widget=widget, actor_id=request.user.pk, actor_type="user"
    )
    if request.htmx:
        annotation.actor_name = request.user.name
        return TemplateResponse(
            request,
            "feedback/annotation_created.html",
            {
                "access": access,
                "hub": access.hub,
                "widget": widget,
                "form": AnnotationForm(),
                "annotation": annotation,
                "open_annotations": Annotation.objects.open().filter(widget=widget).count(),
            },
        )
    return redirect(reverse("feedback:widget", args=[access.hub.slug, widget.pk]) + "#annotations")
