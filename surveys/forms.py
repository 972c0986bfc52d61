from decimal import Decimal

from django import forms

from surveys.models import SurveySettings

TAGS_HELP = "One tag per line (at most 20, each up to 50 characters)."
TAG_TOO_LONG = "{tag!r} is longer than 50 characters."
TOO_MANY_TAGS = "At most 20 tags."


class SurveySettingsForm(forms.ModelForm):
    sampling_rate = forms.DecimalField(
        min_value=Decimal("0.001"),
        max_value=1,
        decimal_places=3,
        help_text="Share of a widget's users asked.",
    )
    quiet_period_days = forms.IntegerField(
        min_value=1,
        max_value=365,
        help_text="After a survey, a person is not asked again for this many days.",
    )
    positive_aspects = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text=TAGS_HELP)
    negative_aspects = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text=TAGS_HELP)

    class Meta:
        model = SurveySettings
        fields = ["sampling_rate", "quiet_period_days", "positive_aspects", "negative_aspects"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name in ("positive_aspects", "negative_aspects"):
                self.initial[name] = "\n".join(getattr(self.instance, name) or [])

    def _tags(self, name):
        tags = []
        for line in self.cleaned_data[name].splitlines():
            tag = line.strip().lower()
            if not tag or tag in tags:
                continue
            if len(tag) > 50:
                raise forms.ValidationError(TAG_TOO_LONG.format(tag=tag))
            tags.append(tag)
        if len(tags) > 20:
            raise forms.ValidationError(TOO_MANY_TAGS)
        if not tags:
            raise forms.ValidationError("Give at least one tag.")
        return tags

    def clean_positive_aspects(self):
        return self._tags("positive_aspects")

    def clean_negative_aspects(self):
        return self._tags("negative_aspects")


class ToggleForm(forms.Form):
    enabled = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda v: v == "1")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "Confirm"), ("reject", "Reject")])


class OptOutForm(forms.Form):
    opted_out = forms.TypedChoiceField(choices=[("1", "opt out"), ("0", "opt in")], coerce=lambda v: v == "1")
