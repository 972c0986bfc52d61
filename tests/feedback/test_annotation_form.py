import pytest
from django.urls import reverse

from feedback.forms import BODY_REQUIRED
from feedback.models import Annotation
from tests.factories import WidgetFactory

GOOD = {"body": "The pay button is hidden by the cookie banner", "category": "bug", "severity": "high"}


def _url(people, widget):
    return reverse("feedback:annotate", args=[people.hub.slug, widget.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["steward", "reviewer", "admin"])
def test_stewards_reviewers_and_admins_add_annotations(client, people, role):
    widget = WidgetFactory(hub=people.hub)
    user = getattr(people, role)
    client.force_login(user)
    response = client.post(_url(people, widget), GOOD)
    assert response.status_code == 302
    assert response.url == reverse("feedback:widget", args=[people.hub.slug, widget.pk]) + "#annotations"
    annotation = Annotation.objects.get()
    assert (annotation.widget_id, annotation.body, annotation.category, annotation.severity) == (
        widget.pk,
        GOOD["body"],
        "bug",
        "high",
    )
    assert (annotation.actor_id, annotation.actor_type, annotation.retracted_at) == (user.pk, "user", None)


@pytest.mark.django_db
def test_viewers_cannot_add_annotations(client, people):
    widget = WidgetFactory(hub=people.hub)
    client.force_login(people.viewer)
    assert client.post(_url(people, widget), GOOD).status_code == 403
    assert Annotation.objects.count() == 0


@pytest.mark.django_db
def test_a_member_of_another_hub_gets_404_and_writes_nothing(client, people):
    widget = WidgetFactory(hub=people.hub)
    client.force_login(people.outsider)
    assert client.post(_url(people, widget), GOOD).status_code == 404
    foreign = WidgetFactory(hub=people.other_hub)
    # The outsider's own widget addressed through a hub they do not belong to.
    assert (
        client.post(reverse("feedback:annotate", args=[people.hub.slug, foreign.pk]), GOOD).status_code == 404
    )
    assert Annotation.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_posts_are_sent_to_sign_in(client, people):
    widget = WidgetFactory(hub=people.hub)
    response = client.post(_url(people, widget), GOOD)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Annotation.objects.count() == 0


@pytest.mark.django_db
def test_get_is_not_allowed(client, people):
    widget = WidgetFactory(hub=people.hub)
    client.force_login(people.steward)
    assert client.get(_url(people, widget)).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**GOOD, "body": ""}, "body", BODY_REQUIRED),
        ({**GOOD, "body": "   "}, "body", BODY_REQUIRED),
        ({**GOOD, "body": "x" * 5001}, "body", "at most 5000 characters"),
        (
            {**GOOD, "severity": "urgent"},
            "severity",
            "Select a valid choice. urgent is not one of the available",
        ),
        ({**GOOD, "severity": ""}, "severity", "This field is required."),
        ({**GOOD, "category": "rant"}, "category", "Select a valid choice. rant is not one of the available"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_re_renders_with_the_message_and_writes_nothing(client, people, data, field, message, htmx):
    widget = WidgetFactory(hub=people.hub)
    client.force_login(people.steward)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(_url(people, widget), data, headers=headers)
    body = response.content.decode()
    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    # The invalid input points at its message by the id Django gives it (issue 19, item 9).
    assert f'aria-describedby="id_{field}_error"' in body and f'id="id_{field}_error"' in body
    assert ("<html" in body) is not htmx
    assert Annotation.objects.count() == 0


@pytest.mark.django_db
def test_htmx_gets_a_fresh_form_and_the_new_annotation_out_of_band(client, people):
    widget = WidgetFactory(hub=people.hub)
    client.force_login(people.reviewer)
    response = client.post(_url(people, widget), GOOD, headers={"HX-Request": "true"})
    body = response.content.decode()
    annotation = Annotation.objects.get()
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="annotation-form"')
    assert 'hx-swap-oob="afterbegin:#annotation-list"' in body
    assert f'id="annotation-{annotation.pk}"' in body
    assert GOOD["body"] in body
    assert '<span id="open-annotation-count" hx-swap-oob="true">1</span>' in body
