from datetime import timedelta

from django import forms
from django.utils import timezone

from outcomes.models import DeploymentStatus, RemediationType, SignalType

VERSION_REQUIRED = "Name the version that was deployed (a tag, a commit, a release number)."
RATIONALE_REQUIRED = "Explain the score."


class DeploymentForm(forms.Form):
    version_ref = forms.CharField(
        max_length=200, strip=True, label="Version", error_messages={"required": VERSION_REQUIRED}
    )
    deployed_at = forms.DateTimeField(
        required=False,
        label="Deployed at (UTC, empty for now)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    status = forms.ChoiceField(choices=DeploymentStatus.choices, initial=DeploymentStatus.SUCCESS)
    remediation_type = forms.ChoiceField(
        choices=RemediationType.choices, initial=RemediationType.IMPERATIVE, label="How it was deployed"
    )
    impl_ref = forms.TypedChoiceField(
        required=False, coerce=str, empty_value=None, label="Implementation change (optional)"
    )
    notes = forms.CharField(
        max_length=5000, required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, decision, **kwargs):
        super().__init__(*args, **kwargs)
        self.references = {str(r.pk): r for r in decision.change_references.all()}
        self.fields["impl_ref"].choices = [("", "—")] + [(pk, str(r)) for pk, r in self.references.items()]

    def clean_deployed_at(self):
        value = self.cleaned_data.get("deployed_at")
        if value and value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError("A deployment cannot be in the future.")
        return value

    def clean_impl_ref(self):
        value = self.cleaned_data.get("impl_ref")
        return self.references.get(value) if value else None


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=DeploymentStatus.choices)
    error_message = forms.CharField(max_length=2000, required=False, strip=True, label="Error or note")


class SignalForm(forms.Form):
    signal_type = forms.ChoiceField(choices=SignalType.choices, label="Signal")
    value = forms.DecimalField(required=False, max_digits=30, decimal_places=10, label="Value (optional)")
    observed_at = forms.DateTimeField(
        required=False,
        label="Observed at (UTC, empty for now)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    widget = forms.TypedChoiceField(coerce=str, label="Widget")

    def __init__(self, *args, widgets, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget_map = {str(w.pk): w for w in widgets}
        self.fields["widget"].choices = [(pk, w.name) for pk, w in self.widget_map.items()]
        if len(self.widget_map) == 1:
            self.fields["widget"].initial = next(iter(self.widget_map))

    def clean_widget(self):
        return self.widget_map[self.cleaned_data["widget"]]

    def clean_observed_at(self):
        value = self.cleaned_data.get("observed_at")
        if value and value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError("An observation cannot be in the future.")
        return value


class EvaluationForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(n, f"{n}") for n in range(1, 6)],
        coerce=int,
        error_messages={
            "required": "Pick a score from 1 to 5.",
            "invalid_choice": "Pick a score from 1 to 5.",
        },
    )
    rationale = forms.CharField(
        max_length=5000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": RATIONALE_REQUIRED},
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        max_length=2000, strip=True, error_messages={"required": "Say how it was resolved."}
    )
