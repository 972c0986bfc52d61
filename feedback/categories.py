"""An annotation that arrives without a category gets one from the installed categoriser.

Annotations are never edited (sql/annotations_guard.sql), so the category is decided before the row is
written. The categoriser lives in a later stage (assist/categorise.py, which installs itself when the app is
ready); without one, or when it is unsure, the category is `general`, never a silent `friction`.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction

from feedback.models import Annotation, Category


@dataclass(frozen=True)
class Guess:
    category: str
    confidence: float
    fallback: bool
    classifier_id: int | None = None
    model_ref: str = "none"


UNSURE = Guess(Category.GENERAL, 0.0, True)


class Categoriser(Protocol):
    def guess(self, body: str) -> Guess: ...

    def record(self, annotation: Annotation, guess: Guess) -> None: ...


_installed: Categoriser | None = None


def install(categoriser: Categoriser | None) -> None:
    global _installed
    _installed = categoriser


def create_annotation(**fields: Any) -> Annotation:
    """Create an annotation; without a category, the categoriser's guess (kept with its reasons)."""
    if fields.get("category"):
        return Annotation.objects.create(**fields)
    guess = _installed.guess(fields["body"]) if _installed else UNSURE
    with transaction.atomic():
        annotation = Annotation.objects.create(**{**fields, "category": guess.category})
        if _installed:
            _installed.record(annotation, guess)
    return annotation
