"""With JavaScript, the annotation form posts through htmx and the page updates in place."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from feedback.forms import BODY_REQUIRED
from feedback.models import Annotation
from tests.factories import AnnotationFactory, HubFactory, MembershipFactory, WidgetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_widget_page(signed_in, live_server):
    hub = HubFactory()
    steward = MembershipFactory(hub=hub, role="steward").user
    widget = WidgetFactory(hub=hub, name="Pay button")
    AnnotationFactory(widget=widget, body="An older note")
    browser = signed_in(steward)
    browser.get(live_server.url + reverse("feedback:widget", args=[hub.slug, widget.pk]))
    # A marker that a full page load would wipe out.
    browser.execute_script("window.ihfNoReload = true;")
    return browser, widget, steward


def test_a_new_annotation_appears_in_place(signed_in, live_server):
    browser, widget, steward = _open_widget_page(signed_in, live_server)
    browser.find_element(By.NAME, "body").send_keys("The total jumps when the coupon applies")
    Select(browser.find_element(By.NAME, "severity")).select_by_value("high")
    browser.find_element(By.CSS_SELECTOR, "#annotation-form button[type=submit]").click()

    wait = WebDriverWait(browser, 10)
    wait.until(ec.text_to_be_present_in_element((By.ID, "annotation-list"), "The total jumps"))
    items = browser.find_elements(By.CSS_SELECTOR, "#annotation-list > li")
    assert [item.find_element(By.TAG_NAME, "p").text for item in items] == [
        "The total jumps when the coupon applies",
        "An older note",
    ]
    assert browser.find_element(By.ID, "open-annotation-count").text == "2"
    assert browser.find_element(By.NAME, "body").get_attribute("value") == ""  # a fresh form
    assert browser.execute_script("return window.ihfNoReload === true")
    annotation = Annotation.objects.get(body="The total jumps when the coupon applies")
    assert (annotation.widget_id, annotation.severity, annotation.actor_id) == (widget.pk, "high", steward.pk)


def test_an_empty_annotation_shows_the_error_in_place_and_writes_nothing(signed_in, live_server):
    browser, _widget, _steward = _open_widget_page(signed_in, live_server)
    browser.find_element(By.CSS_SELECTOR, "#annotation-form button[type=submit]").click()
    WebDriverWait(browser, 10).until(
        ec.text_to_be_present_in_element((By.ID, "annotation-form"), BODY_REQUIRED)
    )
    assert browser.execute_script("return window.ihfNoReload === true")
    assert Annotation.objects.count() == 1
