from django import forms

from observability.models import DEFAULT_THRESHOLD_DAYS, Stage

NOTE_REQUIRED = "Add a note: what was done about it?"


class ResolveForm(forms.Form):
    note = forms.CharField(max_length=2000, strip=True, error_messages={"required": NOTE_REQUIRED})


class HeatmapFilterForm(forms.Form):
    """The heatmap's one filter: a widget type, whose widgets the page then lists all of (paginated)."""

    type = forms.CharField(max_length=100, required=False)


class PropagationForm(forms.Form):
    action = forms.ChoiceField(choices=[("acknowledge", "Acknowledge"), ("resolve", "Resolve")])
    note = forms.CharField(max_length=2000, strip=True, error_messages={"required": NOTE_REQUIRED})


class ThresholdsForm(forms.Form):
    """One field per stage: the days after which a subject counts as stalled in this hub."""

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for stage, label in Stage.choices:
            self.fields[stage] = forms.IntegerField(
                label=f"{label} (days)",
                min_value=1,
                max_value=3650,
                initial=current.get(stage, DEFAULT_THRESHOLD_DAYS[stage]),
            )
