from django import forms

from assist.models import ProposalStatus, ProposalType, ReviewDecision

DECISION_REQUIRED = "Choose accept, reject or modify."


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=ReviewDecision.choices, error_messages={"required": DECISION_REQUIRED}
    )
    notes = forms.CharField(
        required=False, max_length=2000, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )
    content = forms.CharField(
        required=False, max_length=5000, strip=True, widget=forms.Textarea(attrs={"rows": 4})
    )


class InboxFilterForm(forms.Form):
    """The inbox's filters, from the query string: a form, so that a bad value is named, not a failure."""

    type = forms.ChoiceField(required=False, choices=[("", "All kinds"), *ProposalType.choices])
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *ProposalStatus.choices])
    min_confidence = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=2,
        label="Confidence at least",
    )


class SimilarForm(forms.Form):
    q = forms.CharField(required=False, max_length=5000, strip=True)
