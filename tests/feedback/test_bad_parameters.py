"""A NUL in a URL parameter is refused with 400 naming the parameter, never a 500 (issue #15): PostgreSQL
cannot compare text with a NUL in it. (A lone surrogate cannot arrive in a URL: percent-decoding replaces
bytes that are not UTF-8 with U+FFFD.)"""

import pytest
from django.urls import reverse

from feedback.models import RequirementCandidate
from hubs.models import Widget
from tests.factories import CandidateFactory, WidgetFactory

NUL = "\x00"
NULL_NOT_ALLOWED = "Null characters are not allowed."


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", ["type", "status"])
def test_a_nul_in_a_hub_page_filter_is_400_naming_it(client, people, parameter):
    WidgetFactory(hub=people.hub, name="Pay button", widget_type="button")
    client.force_login(people.viewer)
    url = reverse("feedback:hub", args=[people.hub.slug])
    response = client.get(url, {parameter: f"button{NUL}"})
    assert response.status_code == 400
    assert response.context["filter_form"].errors[parameter]
    page = response.content.decode()
    assert f"{parameter}: " in page and "Pay button" in page  # the error, and the widgets unfiltered
    htmx = client.get(url, {parameter: NUL}, headers={"HX-Request": "true"})
    assert htmx.status_code == 400 and f"{parameter}: " in htmx.content.decode()
    assert Widget.objects.count() == 1


@pytest.mark.django_db
def test_the_hub_page_still_filters_by_type_and_status(client, people):
    WidgetFactory(hub=people.hub, name="Pay button", widget_type="button")
    WidgetFactory(hub=people.hub, name="Old form", widget_type="form", status="deprecated")
    client.force_login(people.viewer)
    url = reverse("feedback:hub", args=[people.hub.slug])
    by_type = client.get(url, {"type": "button"})
    by_status = client.get(url, {"status": "deprecated"})
    assert [w.name for w in by_type.context["page"].object_list] == ["Pay button"]
    assert [w.name for w in by_status.context["page"].object_list] == ["Old form"]
    bad_status = client.get(url, {"status": "sideways"})
    assert bad_status.status_code == 400 and bad_status.context["filter_form"].errors["status"]


@pytest.mark.django_db
def test_a_nul_in_the_duplicate_search_is_400_naming_it(client, people):
    widget = WidgetFactory(hub=people.hub)
    original = CandidateFactory(source_widget=widget, title="Coupon field rejects lowercase codes")
    candidate = CandidateFactory(source_widget=widget, title="Coupon codes case")
    client.force_login(people.steward)
    search = client.get(
        reverse("feedback:candidate-search", args=[people.hub.slug]),
        {"q": f"lower{NUL}", "exclude": str(candidate.pk)},
    )
    assert search.status_code == 400
    assert f"q: {NULL_NOT_ALLOWED}" in search.content.decode()
    assert original.title not in search.content.decode()
    page = client.get(reverse("feedback:candidate", args=[people.hub.slug, candidate.pk]), {"dup_q": NUL})
    assert page.status_code == 400
    assert page.context["dup_results"] is None
    assert f"dup_q: {NULL_NOT_ALLOWED}" in page.content.decode()
    assert set(RequirementCandidate.objects.values_list("status", flat=True)) == {"open"}
