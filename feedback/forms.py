from django import forms

from feedback.models import Annotation, Category, Severity

BODY_REQUIRED = "Write what happened or what you noticed."
BODY_MAX_LENGTH = 5000


class AnnotationForm(forms.ModelForm):
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What did you notice about this widget?"}),
        error_messages={"required": BODY_REQUIRED},
    )
    category = forms.ChoiceField(choices=Category.choices, initial=Category.FRICTION)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)

    class Meta:
        model = Annotation
        fields = ["body", "category", "severity"]
