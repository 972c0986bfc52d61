"""Charts fill their boxes, say what they show, keep the page still and keep their choices in the URL
(issue 19, items 3 and 7)."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.chain import full_chain
from tests.factories import HubFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAWN = "return [...document.querySelectorAll('#pre-post canvas')].map(c => c.dataset.drawn)"
# A canvas whose drawing surface has another shape than its box on the page is drawn squeezed.
SHAPES = """return [...document.querySelectorAll(arguments[0])].map(c => ({
  drawn: c.width / c.height, shown: c.clientWidth / c.clientHeight, height: c.clientHeight,
  box: c.parentElement.clientHeight,
  title: (c.closest('figure')?.querySelector('figcaption')?.textContent || '')
}))"""


def test_the_deployment_charts_fit_their_boxes_have_titles_and_keep_the_window_in_the_url(
    signed_in, live_server
):
    hub = HubFactory()
    reviewer = MembershipFactory(hub=hub, role="reviewer").user
    *_rest, deployment, _signal = full_chain(hub, days_ago=5)
    browser = signed_in(reviewer)
    browser.get(live_server.url + reverse("outcomes:deployment", args=[hub.slug, deployment.pk]))
    wait = WebDriverWait(browser, 10)
    wait.until(lambda b: b.execute_script(DRAWN) == ["1", "1"])
    shapes = browser.execute_script(SHAPES, "#pre-post canvas")
    for shape in shapes:
        assert shape["drawn"] == pytest.approx(shape["shown"], rel=0.03), shape
        assert shape["height"] == shape["box"], shape
        assert shape["title"].strip(), shape
    browser.find_element(By.LINK_TEXT, "±7 days").click()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "#pre-post thead"), "7 days before"))
    wait.until(lambda b: "window=7" in b.current_url)
    browser.refresh()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "#pre-post thead"), "7 days before"))


TOP_AT_LOAD = """
document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("widget-table");
  if (table) { window.ihfTopAtLoad = table.getBoundingClientRect().top; }
});
"""


@pytest.mark.parametrize("snapshots", [1, 3])
def test_the_hub_page_does_not_jump_when_its_health_history_arrives(
    signed_in, live_server, browser, snapshots
):
    from observability import compute

    hub = HubFactory()
    viewer = MembershipFactory(hub=hub, role="viewer").user
    for _ in range(snapshots):
        compute.snapshot_health()
    signed_in(viewer)
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TOP_AT_LOAD})
    try:
        browser.get(live_server.url + reverse("feedback:hub", args=[hub.slug]))
        wait = WebDriverWait(browser, 10)
        history = "#hub-health-history .chart-box"
        if snapshots > 1:
            wait.until(
                lambda b: b.execute_script(
                    f"return document.querySelector('{history} canvas')?.dataset.drawn"
                )
            )
            shape = browser.execute_script(SHAPES, f"{history} canvas")[0]
            assert shape["drawn"] == pytest.approx(shape["shown"], rel=0.03)
        else:
            # One point is no history: a sentence says so instead of a chart of one dot.
            wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, history), "One snapshot so far"))
            assert not browser.find_elements(By.CSS_SELECTOR, f"{history} canvas")
        top_now = browser.execute_script(
            "return document.getElementById('widget-table').getBoundingClientRect().top"
        )
        assert browser.execute_script("return window.ihfTopAtLoad") == top_now
    finally:
        browser.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )
