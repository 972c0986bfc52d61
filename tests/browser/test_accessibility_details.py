"""Accessibility details (issue 19, item 9): a skip link, badges readable at 4.5:1, and focus kept in place
when htmx swaps out the element that had it."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import AnnotationFactory, MembershipFactory, WidgetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST = """
function lum(rgb) {
  var c = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(function (v) {
    v = v / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
return [...document.querySelectorAll('.sev')].map(function (badge) {
  var style = getComputedStyle(badge), a = lum(style.color), b = lum(style.backgroundColor);
  return [badge.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
});
"""


def test_the_skip_link_comes_first_and_leads_to_the_content(signed_in, live_server, people):
    browser = signed_in(people.viewer)
    browser.get(live_server.url + reverse("feedback:hub", args=[people.hub.slug]))
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to content" and focused.is_displayed()
    focused.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(lambda b: b.execute_script("return document.activeElement.id") == "main")


def test_every_severity_badge_reads_at_4_5_to_1(signed_in, live_server, people):
    widget = WidgetFactory(hub=people.hub)
    for severity in ("low", "medium", "high", "critical"):
        AnnotationFactory(widget=widget, severity=severity)
    browser = signed_in(people.viewer)
    browser.get(live_server.url + reverse("feedback:widget", args=[people.hub.slug, widget.pk]))
    ratios = browser.execute_script(CONTRAST)
    assert {label for label, _ in ratios} == {"Low", "Medium", "High", "Critical"}
    assert all(ratio >= 4.5 for _, ratio in ratios), ratios


def test_focus_stays_on_the_form_when_htmx_brings_it_back_with_an_error(signed_in, live_server, people):
    widget = WidgetFactory(hub=people.hub)
    MembershipFactory(hub=people.hub, role="reviewer")
    browser = signed_in(people.steward)
    browser.get(live_server.url + reverse("feedback:widget", args=[people.hub.slug, widget.pk]))
    browser.find_element(By.CSS_SELECTOR, "#annotation-form button[type=submit]").click()
    wait = WebDriverWait(browser, 5)
    wait.until(lambda b: b.find_elements(By.ID, "id_body_error"))
    wait.until(lambda b: b.execute_script("return document.activeElement.id") == "id_body")
    assert browser.switch_to.active_element.get_attribute("aria-describedby") == "id_body_error"


def test_slash_reaches_the_global_search_from_any_page(signed_in, live_server, people):
    WidgetFactory(hub=people.hub, name="Checkout button")
    browser = signed_in(people.viewer)
    browser.get(live_server.url + reverse("feedback:hub", args=[people.hub.slug]))
    browser.find_element(By.TAG_NAME, "h1").click()
    ActionChains(browser).send_keys("/").perform()
    assert browser.switch_to.active_element.get_attribute("id") == "global-search"
    browser.switch_to.active_element.send_keys("checkout", Keys.ENTER)
    WebDriverWait(browser, 5).until(
        lambda b: "Checkout button" in b.find_element(By.ID, "results-widgets").text
    )
