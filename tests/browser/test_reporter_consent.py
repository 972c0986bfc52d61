"""A hub that requires consent, end to end in Chromium: a steward ticks it on the settings page, the page's
snippet (data-ihf-consent="required") goes on a host page, and the reporter sends nothing — no request, no
beacon, nothing in localStorage — before the page calls consent(true); then everything arrives. A page
that forgot the attribute is refused by IHF (nothing stored), and the reporter stops and says why."""

import html
import re
import time

import pytest
from django.urls import reverse
from selenium.webdriver.support.ui import WebDriverWait

from hubs.fastpath import forget_origins
from hubs.models import Hub, InteractionEvent
from tests.browser.reporter_pages import count, pending, site, wait_for
from tests.factories import WidgetFactory, api_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["site"]

# Counts the reporter's requests (fetch and sendBeacon) before they leave the page.
COUNTERS = """<script>
  window.sent = 0;
  var send = window.fetch, beacon = navigator.sendBeacon.bind(navigator);
  window.fetch = function () { window.sent++; return send.apply(this, arguments); };
  navigator.sendBeacon = function () { window.sent++; return beacon.apply(null, arguments); };
</script>"""
STORED = "return Object.keys(localStorage).filter(k => k.startsWith('ihf.queue.'))"


@pytest.fixture
def consent_hub(site, live_server, client, people, contracts):
    """people.hub, set by its steward on the settings page to allow the site's origin and require consent.
    Returns the embed snippet as the page shows it (with a real key), the widget, the site's root, origin."""
    root, origin = site
    client.force_login(people.steward)
    url = reverse("hubs:settings", args=[people.hub.slug])
    saved = client.post(
        url, {"allowed_origins": origin, "webhook_url": "", "reporter_consent_required": "on"}
    )
    assert saved.status_code == 302 and Hub.objects.get(pk=people.hub.pk).reporter_consent_required
    forget_origins()
    snippet = re.search(
        r'<pre class="snippet" id="embed-snippet">(.*?)</pre>', client.get(url).content.decode(), re.S
    )
    _key, raw = api_key(people.hub)
    # The page shows the server as the test client saw it (testserver): the browser reaches the live server.
    tag = (
        html.unescape(snippet.group(1))
        .replace("ihf_ingest_…", raw)
        .replace("http://testserver", live_server.url)
    )
    assert 'data-ihf-consent="required"' in tag
    return tag, WidgetFactory(hub=people.hub, name="Pay"), root, origin


def _open(browser, root, origin, widget, tag, config="{flushMs: 200, debug: true}"):
    button = f'<button id="pay" data-ihf-widget="{widget.pk}" data-ihf-hub="{widget.hub.slug}">Pay</button>'
    head = f"<meta charset='utf-8'>{COUNTERS}<script>window.ihfConfig = {config};</script>{tag}"
    (root / "page.html").write_text(f"<!doctype html><html><head>{head}</head><body>{button}</body></html>")
    browser.get(f"{origin}/page.html")
    WebDriverWait(browser, 10).until(lambda b: b.execute_script("return !!window.__ihfReporter"))


def test_nothing_leaves_the_page_before_consent_and_everything_after(browser, consent_hub):
    tag, pay, root, origin = consent_hub
    _open(browser, root, origin, pay, tag)
    for _ in range(2):
        browser.find_element("id", "pay").click()
    time.sleep(1.5)  # several flush intervals
    browser.execute_script("window.dispatchEvent(new Event('pagehide'))")  # as when the tab closes
    assert browser.execute_script("return window.sent") == 0
    assert browser.execute_script(STORED) == []
    assert pending(browser) == 3  # two clicks and a view, in memory only
    assert not InteractionEvent.objects.exists()

    browser.execute_script("window.__ihfReporter.consent(true)")
    browser.find_element("id", "pay").click()
    assert wait_for(lambda: count(pay, "clicked") == 3 and count(pay, "viewed") == 1)
    assert wait_for(lambda: pending(browser) == 0)
    assert InteractionEvent.objects.count() == 4


def test_a_page_that_forgot_the_consent_attribute_is_refused_and_told_why(browser, consent_hub):
    tag, pay, root, origin = consent_hub
    _open(browser, root, origin, pay, tag.replace('data-ihf-consent="required"', ""))
    browser.get_log("browser")
    browser.find_element("id", "pay").click()
    assert wait_for(lambda: browser.execute_script("return window.sent") >= 1)
    time.sleep(2)  # no retries without end: it waits for consent
    sent = browser.execute_script("return window.sent")
    assert sent <= 2  # the view and the click, in one batch or two
    logs = " ".join(entry["message"] for entry in browser.get_log("browser"))
    assert "reports nothing without the person's consent" in logs and "consent(true)" in logs
    assert not InteractionEvent.objects.exists()
    assert pending(browser) == 2 and browser.execute_script(STORED) == []
    time.sleep(1)
    assert browser.execute_script("return window.sent") == sent

    browser.execute_script("window.__ihfReporter.consent(true)")
    assert wait_for(lambda: count(pay, "clicked") == 1 and count(pay, "viewed") == 1)
    assert wait_for(lambda: pending(browser) == 0)
