"""Forms of the triage board and the candidate page."""

from django import forms

from feedback.models import CandidateStatus, Category, RequirementCandidate, Severity
from ihf.ids import parse_uuid

TARGET_REQUIRED = "Pick the status to move the candidate to."
REVIEWER_REQUIRED = "Pick a reviewer."
UNKNOWN_CANDIDATE = "That candidate does not exist in this hub."


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=CandidateStatus.choices, error_messages={"required": TARGET_REQUIRED})
    expected_status = forms.ChoiceField(
        choices=CandidateStatus.choices, required=False, widget=forms.HiddenInput
    )
    notes = forms.CharField(
        max_length=2000,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"placeholder": "Note (optional)"}),
    )
    duplicate_of = forms.UUIDField(required=False, error_messages={"invalid": UNKNOWN_CANDIDATE})

    def __init__(self, *args, hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.hub = hub

    def clean_duplicate_of(self):
        pk = self.cleaned_data.get("duplicate_of")
        if pk is None:
            return None
        original = RequirementCandidate.objects.select_related("source_widget").filter(pk=pk).first()
        if original is None or original.source_widget.hub_id != self.hub.pk:
            raise forms.ValidationError(UNKNOWN_CANDIDATE)
        return original


class AssignForm(forms.Form):
    reviewer = forms.UUIDField(error_messages={"required": REVIEWER_REQUIRED, "invalid": REVIEWER_REQUIRED})
    notes = forms.CharField(max_length=2000, required=False, strip=True)


class DuplicateSearchForm(forms.Form):
    """The text that finds a duplicate's original (the board card's box and the candidate page's). The
    search reads its first 200 characters; the field refuses a NUL, which would fail the query."""

    q = forms.CharField(required=False, strip=True)


AGE_CHOICES = [
    ("", "Any age"),
    ("7", "Older than 7 days"),
    ("30", "Older than 30 days"),
    ("90", "Older than 90 days"),
]
SORT_CHOICES = [("newest", "Newest first"), ("oldest", "Oldest first"), ("severity", "Worst severity first")]


class BoardFilterForm(forms.Form):
    """The board's filters; they live in the URL's query string."""

    q = forms.CharField(required=False, max_length=200, strip=True, label="Search")
    severity = forms.ChoiceField(
        required=False, choices=[("", "Any severity"), *Severity.choices], label="Severity at least"
    )
    category = forms.ChoiceField(required=False, choices=[("", "Any category"), *Category.choices])
    widget_type = forms.CharField(required=False, max_length=100, label="Widget type")
    widget = forms.UUIDField(required=False, error_messages={"invalid": "Pick a widget from the list."})
    # A hub with more widgets than the page lists (WIDGET_CHOICES_LIMIT) filters by a part of the name.
    widget_name = forms.CharField(required=False, max_length=200, strip=True, label="Widget name")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *CandidateStatus.choices])
    assignee = forms.CharField(required=False, max_length=40)
    age = forms.TypedChoiceField(required=False, choices=AGE_CHOICES, coerce=int, empty_value=None)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    view = forms.ChoiceField(required=False, choices=[("board", "Board"), ("list", "List")])

    def clean_assignee(self):
        value = self.cleaned_data.get("assignee") or ""
        if value in {"", "none", "me"}:
            return value
        parsed = parse_uuid(value)
        if parsed is None:
            raise forms.ValidationError("Pick an assignee from the list.")
        return str(parsed)


class WidgetNameForm(forms.Form):
    """What was typed in the board's Widget name box, for its suggestions."""

    widget_name = forms.CharField(required=False, max_length=200, strip=True)


class MoreCardsForm(forms.Form):
    """A column's "Show more": which column, and how many of its cards the board already shows."""

    more = forms.ChoiceField(
        choices=CandidateStatus.choices, error_messages={"invalid_choice": "not a status of the board."}
    )
    shown = forms.IntegerField(
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "required": "a number of cards, 0 or more.",
            "invalid": "a number of cards, 0 or more.",
        },
    )
