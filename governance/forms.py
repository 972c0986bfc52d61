from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from governance.models import ChangeSystem, DecisionOutcome, validate_work_item

RATIONALE_REQUIRED = "Explain the decision: the rationale is required."
TITLE_REQUIRED = "Give it a short title."
SCOPE_REQUIRED = "Name the policy scope."
PATTERN_FORMAT = "A pattern is a short label of lowercase words joined by hyphens, such as aria-labels."


class PromoteForm(forms.Form):
    title = forms.CharField(max_length=200, strip=True, error_messages={"required": TITLE_REQUIRED})
    description = forms.CharField(
        max_length=10_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Describe the requirement."},
    )


class DecisionForm(forms.Form):
    title = forms.CharField(max_length=200, strip=True, error_messages={"required": TITLE_REQUIRED})
    outcome = forms.ChoiceField(choices=DecisionOutcome.choices)
    rationale = forms.CharField(
        max_length=10_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": RATIONALE_REQUIRED},
    )
    notes = forms.CharField(
        max_length=5000, required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )
    policy_scope = forms.CharField(
        max_length=200, required=False, strip=True, label="Policy scope (optional)"
    )
    constraint_note = forms.CharField(
        max_length=2000, required=False, strip=True, label="Policy constraint note"
    )
    # The kind of change, by which the learning loop judges how such changes fare (docs/metrics.md).
    pattern = forms.CharField(
        max_length=60,
        required=False,
        strip=True,
        label="Pattern (optional)",
        validators=[RegexValidator(r"^[a-z0-9]+(-[a-z0-9]+)*$", PATTERN_FORMAT)],
        widget=forms.TextInput(attrs={"list": "pattern-suggestions", "autocomplete": "off"}),
    )

    def clean_pattern(self):
        return self.cleaned_data["pattern"] or None

    def clean(self):
        data = super().clean()
        if data.get("constraint_note") and not data.get("policy_scope"):
            self.add_error("policy_scope", SCOPE_REQUIRED)
        return data


class PolicyReferenceForm(forms.Form):
    policy_scope = forms.CharField(max_length=200, strip=True, error_messages={"required": SCOPE_REQUIRED})
    constraint_note = forms.CharField(max_length=2000, required=False, strip=True)


class ChangeReferenceForm(forms.Form):
    system = forms.ChoiceField(choices=ChangeSystem.choices)
    work_item_ref = forms.CharField(
        max_length=500,
        strip=True,
        label="Work item",
        error_messages={"required": "Give the work item reference."},
    )

    def clean(self):
        data = super().clean()
        if data.get("system") and data.get("work_item_ref"):
            try:
                validate_work_item(data["system"], data["work_item_ref"])
            except ValidationError as error:
                self.add_error("work_item_ref", error.message_dict["work_item_ref"])
        return data
