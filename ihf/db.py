"""Column types and defaults shared by the models, so the tables match the seed schema exactly."""

from django import forms
from django.core.validators import validate_slug
from django.db import models

# The seed's `DEFAULT now()` (transaction time); Django's Now() would compile to statement_timestamp().
NOW = models.Func(function="now", output_field=models.DateTimeField())
GEN_RANDOM_UUID = models.Func(function="gen_random_uuid", output_field=models.UUIDField())


class EmailTextField(models.TextField):
    """A TEXT column (as in the seed) validated and edited as an email address."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.EmailField, "widget": forms.EmailInput, **kwargs})


class SlugTextField(models.TextField):
    """A TEXT column (as in the seed) validated and edited as a slug."""

    default_validators = [validate_slug]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.SlugField, "widget": forms.TextInput, **kwargs})


class ShortTextField(models.TextField):
    """A TEXT column edited in a one-line input rather than a textarea."""

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": forms.TextInput, **kwargs})
