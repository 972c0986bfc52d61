"""Auto-categorisation: an annotation without a category gets the classifier's answer, or `general`."""

import json

import pytest
from django.urls import reverse

from assist import categorise
from assist.models import AnnotationCategorisation, CategoryClassifier
from feedback.models import Annotation
from tests.api.helpers import ANNOTATIONS, post
from tests.factories import WidgetFactory, api_key

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def trained(django_db_setup, django_db_blocker):
    """One classifier for the module (training embeds the starter set: a few seconds)."""
    with django_db_blocker.unblock():
        classifier = categorise.train()
        values = {
            f.name: getattr(classifier, f.name) for f in CategoryClassifier._meta.fields if f.name != "id"
        }
        CategoryClassifier.objects.filter(pk=classifier.pk).delete()
    return values


@pytest.fixture
def classifier(trained):
    return CategoryClassifier.objects.create(**trained)


def test_training_keeps_the_fallback_rate_under_the_goal(trained):
    assert trained["trained_on"] >= 400 and set(trained["categories"]) >= {"bug", "accessibility", "praise"}
    assert trained["fallback_rate"] < categorise.FALLBACK_GOAL
    assert trained["accuracy"] > 0.6


def test_without_a_classifier_a_missing_category_is_general_never_friction(client, people):
    widget = WidgetFactory(hub=people.hub)
    client.force_login(people.reviewer)
    response = client.post(
        reverse("feedback:annotate", args=["alpha", widget.pk]),
        {"body": "Hm.", "category": "", "severity": "low"},
    )
    assert response.status_code == 302
    annotation = Annotation.objects.get()
    assert annotation.category == "general"
    why = AnnotationCategorisation.objects.get(annotation=annotation)  # counted in the fallback rate
    assert (why.fallback, why.classifier_id) == (True, None)


def test_the_api_categorises_an_annotation_without_a_category(client, contracts, people, classifier):
    widget = WidgetFactory(hub=people.hub)
    _, raw = api_key(people.hub)
    key = {"Authorization": f"Bearer {raw}"}
    body = {
        "widget_id": str(widget.pk),
        "body": "The screen reader skips this button, it has no accessible label",
    }
    response = post(client, ANNOTATIONS, body, key)
    assert response.status_code == 201, response.content
    annotation = Annotation.objects.get(pk=json.loads(response.content)["id"])
    assert annotation.category == "accessibility"
    why = AnnotationCategorisation.objects.get(annotation=annotation)
    assert (why.category, why.fallback, why.classifier_id) == ("accessibility", False, classifier.pk)
    assert why.confidence >= classifier.min_confidence


def test_a_given_category_is_kept_and_not_recorded(client, contracts, people, classifier):
    widget = WidgetFactory(hub=people.hub)
    _, raw = api_key(people.hub)
    key = {"Authorization": f"Bearer {raw}"}
    response = post(
        client, ANNOTATIONS, {"widget_id": str(widget.pk), "body": "Nice", "category": "bug"}, key
    )
    assert response.status_code == 201
    assert Annotation.objects.get().category == "bug" and not AnnotationCategorisation.objects.exists()


def test_an_unknown_category_is_named_and_nothing_is_written(client, contracts, people, classifier):
    widget = WidgetFactory(hub=people.hub)
    _, raw = api_key(people.hub)
    key = {"Authorization": f"Bearer {raw}"}
    response = post(client, ANNOTATIONS, {"widget_id": str(widget.pk), "body": "x", "category": "misc"}, key)
    assert response.status_code == 422 and "category" in response.content.decode()
    assert not Annotation.objects.exists()
