from django import forms

from learning.models import KnowledgeOutcome
from learning.selectors import SEARCH_SORTS

PATTERN_FORMAT = "A pattern is a short label: lowercase letters, digits and hyphens, e.g. aria-labels."


class CalibrationForm(forms.Form):
    action = forms.ChoiceField(choices=[("apply", "Apply"), ("decline", "Decline")])


class InsightForm(forms.Form):
    action = forms.ChoiceField(choices=[("acknowledged", "Acknowledge"), ("dismissed", "Dismiss")])


class KnowledgeSearchForm(forms.Form):
    q = forms.CharField(max_length=500, required=False, strip=True, label="Search")
    widget_type = forms.CharField(max_length=100, required=False, strip=True)
    pattern = forms.CharField(max_length=60, required=False, strip=True)
    outcome = forms.ChoiceField(choices=[("", "Any outcome"), *KnowledgeOutcome.choices], required=False)
    sort = forms.ChoiceField(
        choices=[
            ("-rank", "Best match"),
            ("-created_at", "Newest"),
            ("created_at", "Oldest"),
            ("title", "Title"),
        ],
        required=False,
    )
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    def clean_sort(self):
        sort = self.cleaned_data.get("sort") or "-rank"
        assert sort in SEARCH_SORTS
        return sort
