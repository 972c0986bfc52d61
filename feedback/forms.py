from django import forms

from feedback.models import Annotation, Category, Severity
from hubs.models import WidgetStatus

BODY_REQUIRED = "Write what happened or what you noticed."
BODY_MAX_LENGTH = 5000


class AnnotationForm(forms.ModelForm):
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What did you notice about this widget?"}),
        error_messages={"required": BODY_REQUIRED},
    )
    # Empty lets IHF's categoriser decide (feedback/categories.py); `general` is its answer when unsure.
    category = forms.ChoiceField(
        choices=[
            ("", "Let IHF decide"),
            *((value, label) for value, label in Category.choices if value != Category.GENERAL),
        ],
        required=False,
    )
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)

    class Meta:
        model = Annotation
        fields = ["body", "category", "severity"]


class WidgetFilterForm(forms.Form):
    """The hub page's filters; they live in the URL's query string. A form rather than the raw parameters:
    a NUL in one would fail the query (PostgreSQL refuses NUL in text); a CharField refuses it by name."""

    type = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *WidgetStatus.choices])


REASON_REQUIRED = "Say why the annotation is retracted."
TITLE_REQUIRED = "Give it a short title."
DESCRIPTION_REQUIRED = "Describe what should change and why."
PICK_ANNOTATIONS = "Pick at least one annotation to move."


class RetractForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        strip=True,
        error_messages={"required": REASON_REQUIRED},
        widget=forms.TextInput(attrs={"placeholder": "Why retract it?"}),
    )


class ThreadForm(forms.Form):
    title = forms.CharField(max_length=200, strip=True, error_messages={"required": TITLE_REQUIRED})
    description = forms.CharField(
        max_length=5000, required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )


class MoveAnnotationsForm(forms.Form):
    annotations = forms.ModelMultipleChoiceField(
        queryset=Annotation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": PICK_ANNOTATIONS,
            "invalid_choice": "%(value)s is not an annotation you can move here.",
        },
    )

    def __init__(self, *args, thread, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annotations"].queryset = (
            Annotation.objects.open()
            .filter(widget_id=thread.widget_id)
            .exclude(thread=thread)
            .order_by("-created_at")
        )


class EscalateForm(forms.Form):
    title = forms.CharField(max_length=200, strip=True, error_messages={"required": TITLE_REQUIRED})
    description = forms.CharField(
        max_length=10_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": DESCRIPTION_REQUIRED},
    )
    category = forms.ChoiceField(choices=Category.choices)
