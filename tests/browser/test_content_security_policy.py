"""The pages that run htmx and Chart.js work under the Content-Security-Policy and break none of its rules
(issue #15, item 7)."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from observability import compute
from tests.browser.conftest import csp_violations
from tests.chain import full_chain
from tests.factories import CandidateFactory, HubFactory, MembershipFactory, WidgetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _violations(browser):
    return browser.execute_script("return window.ihfCspViolations")


def test_htmx_and_chart_pages_break_no_rule_of_the_policy(signed_in, live_server, settings):
    settings.IHF_DASHBOARD_REFRESH_SECONDS = 1
    hub = HubFactory()
    steward = MembershipFactory(hub=hub, role="steward").user
    widget = WidgetFactory(hub=hub)
    CandidateFactory(source_widget=widget, title="Coupon rejected")
    *_rest, deployment, _signal = full_chain(hub, days_ago=5)
    compute.snapshot_health()
    compute.snapshot_health()
    browser = signed_in(steward)
    wait = WebDriverWait(browser, 10)
    drawn = "return [...document.querySelectorAll('canvas[data-chart]')].every(c => c.dataset.drawn === '1')"

    pages = {
        "hub page (health chart)": reverse("feedback:hub", args=[hub.slug]),
        "deployment (pre/post charts)": reverse("outcomes:deployment", args=[hub.slug, deployment.pk]),
        "health history": reverse("observability:health", args=[hub.slug]),
        "widget page (htmx form)": reverse("feedback:widget", args=[hub.slug, widget.pk]),
        "triage board": reverse("feedback:board", args=[hub.slug]),
    }
    for name, path in pages.items():
        browser.get(live_server.url + path)
        wait.until(lambda b: b.execute_script("return typeof htmx === 'object'"), message=name)
        wait.until(lambda b: b.execute_script(drawn), message=name)
        assert _violations(browser) == [], name

    # Panels that swap themselves in with htmx, every second.
    browser.get(live_server.url + reverse("outcomes:dashboard", args=[hub.slug]))
    browser.execute_script("window.ihfNoReload = true;")
    swaps = "window.ihfSwaps = 0; document.body.addEventListener('htmx:afterSwap', () => window.ihfSwaps++);"
    browser.execute_script(swaps)
    wait.until(lambda b: b.execute_script("return window.ihfSwaps") >= 2)
    assert browser.find_elements(By.CSS_SELECTOR, "#panel-scores meter.bar")
    assert browser.execute_script("return window.ihfNoReload === true")
    assert _violations(browser) == []

    # The check itself works: an inline style the policy refuses is seen, by the page and in the console.
    browser.execute_script("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    wait.until(lambda b: _violations(b))
    assert _violations(browser)[0].startswith("style-src-attr inline")
    assert csp_violations(browser.get_log("browser"))


def test_the_admin_and_the_api_docs_break_no_rule_of_the_policy(signed_in, live_server):
    admin = MembershipFactory(role="steward").user
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    browser = signed_in(admin)
    for path in ["/admin/", "/admin/hubs/hub/add/", "/api/docs"]:
        browser.get(live_server.url + path)
        WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.TAG_NAME, "body")))
        if path == "/api/docs":
            WebDriverWait(browser, 10).until(
                lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
            )
        assert _violations(browser) == [], path
