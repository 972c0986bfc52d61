from urllib.parse import urlsplit

from django import forms

from hubs.models import ApiKeyScope, Hub

ORIGIN_FORMAT = "{value!r} is not an origin: write scheme://host or scheme://host:port, one per line."


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"placeholder": "e.g. storefront production"}),
    )
    scope = forms.ChoiceField(choices=ApiKeyScope.choices)


class HubIntegrationForm(forms.ModelForm):
    allowed_origins = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://shop.example.com"}),
        help_text="Pages from these origins may report to this hub from the browser. One per line.",
    )

    class Meta:
        model = Hub
        fields = ["allowed_origins", "webhook_url", "reporter_consent_required"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["allowed_origins"] = "\n".join(self.instance.allowed_origins or [])

    def clean_allowed_origins(self):
        origins = []
        for line in self.cleaned_data["allowed_origins"].splitlines():
            value = line.strip().rstrip("/")
            if not value:
                continue
            parts = urlsplit(value)
            if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path or parts.query:
                raise forms.ValidationError(ORIGIN_FORMAT.format(value=value))
            if value not in origins:
                origins.append(value)
        return origins
