"""Charts draw and dashboard panels refresh themselves, in a real browser."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.chain import full_chain
from tests.factories import HubFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pre_post_charts_draw_and_redraw_when_the_window_changes(signed_in, live_server):
    hub = HubFactory()
    reviewer = MembershipFactory(hub=hub, role="reviewer").user
    *_rest, deployment, _signal = full_chain(hub, days_ago=5)
    browser = signed_in(reviewer)
    browser.get(live_server.url + reverse("outcomes:deployment", args=[hub.slug, deployment.pk]))
    wait = WebDriverWait(browser, 10)
    drawn = "return [...document.querySelectorAll('#pre-post canvas')].map(c => c.dataset.drawn)"
    wait.until(lambda b: b.execute_script(drawn) == ["1", "1"])
    browser.execute_script("window.ihfNoReload = true;")
    browser.find_element(By.LINK_TEXT, "±7 days").click()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "#pre-post thead"), "7 days before"))
    wait.until(lambda b: b.execute_script(drawn) == ["1", "1"])
    assert browser.execute_script("return window.ihfNoReload === true")


def test_dashboard_panels_refresh_themselves(signed_in, live_server, settings):
    settings.IHF_DASHBOARD_REFRESH_SECONDS = 1
    hub = HubFactory()
    viewer = MembershipFactory(hub=hub, role="viewer").user
    browser = signed_in(viewer)
    browser.get(live_server.url + reverse("outcomes:dashboard", args=[hub.slug]))
    assert "No deployments yet." in browser.find_element(By.ID, "panel-deployments").text
    full_chain(hub, days_ago=5)
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "panel-deployments"), "v1"))
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "panel-recurrence"), "1 cycle"))


def test_the_hub_page_shows_the_health_badge_and_history_chart(signed_in, live_server):
    from observability import compute

    hub = HubFactory()
    viewer = MembershipFactory(hub=hub, role="viewer").user
    compute.snapshot_health()
    compute.snapshot_health()
    browser = signed_in(viewer)
    browser.get(live_server.url + reverse("feedback:hub", args=[hub.slug]))
    wait = WebDriverWait(browser, 10)
    wait.until(ec.text_to_be_present_in_element((By.ID, "health-badge"), "health 100"))
    wait.until(
        lambda b: b.execute_script(
            "var c = document.querySelector('#hub-health-history canvas');"
            "return !!c && c.dataset.drawn === '1'"
        )
    )
