"""Search across what a person may see: candidates, annotations, decisions and widgets of the hubs they
belong to (every hub for an admin), a few of each, best matches of the title first."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Q, Value, When
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from feedback.models import Annotation, RequirementCandidate
from governance.models import DecisionRecord
from hubs.models import Hub, Widget

PER_KIND = 10
QUERY_TOO_SHORT = "Type at least 2 characters."


class SearchForm(forms.Form):
    q = forms.CharField(max_length=200, strip=True, required=False)

    def clean_q(self):
        q = self.cleaned_data["q"]
        if q and len(q) < 2:
            raise forms.ValidationError(QUERY_TOO_SHORT)
        return q


def _title_first(field, q):
    """Titles that start with the words rank before those that contain them elsewhere."""
    return Case(
        When(**{f"{field}__istartswith": q}, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


def search_everything(user, q: str) -> dict:
    hubs = Hub.objects.visible_to(user)
    candidates = (
        RequirementCandidate.objects.filter(source_widget__hub__in=hubs)
        .filter(Q(title__icontains=q) | Q(description__icontains=q))
        .select_related("source_widget__hub")
        .order_by(_title_first("title", q), "-created_at")[:PER_KIND]
    )
    annotations = (
        Annotation.objects.filter(widget__hub__in=hubs, retracted_at__isnull=True, body__icontains=q)
        .select_related("widget__hub")
        .order_by("-created_at")[:PER_KIND]
    )
    decisions = (
        DecisionRecord.objects.filter(hub__in=hubs)
        .filter(Q(title__icontains=q) | Q(rationale__icontains=q))
        .select_related("hub")
        .order_by(_title_first("title", q), "-decided_at")[:PER_KIND]
    )
    widgets = (
        Widget.objects.filter(hub__in=hubs)
        .filter(Q(name__icontains=q) | Q(widget_type__icontains=q))
        .select_related("hub")
        .order_by(_title_first("name", q), "name")[:PER_KIND]
    )
    return {
        "candidates": list(candidates),
        "annotations": list(annotations),
        "decisions": list(decisions),
        "widgets": list(widgets),
    }


@login_required
@require_GET
def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "q": "", "results": None, "per_kind": PER_KIND}
    status = 200
    if not form.is_valid():
        status = 400
    elif form.cleaned_data["q"]:
        context["q"] = form.cleaned_data["q"]
        context["results"] = search_everything(request.user, form.cleaned_data["q"])
    return TemplateResponse(request, "governance/search.html", context, status=status)
