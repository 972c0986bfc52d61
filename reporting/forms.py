from django import forms

PERIODS = [(30, "Last 30 days"), (90, "Last 90 days"), (365, "Last 365 days")]


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        choices=PERIODS, coerce=int, required=False, empty_value=90, initial=90, label="Period"
    )
