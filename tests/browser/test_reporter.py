"""The reporter on a plain HTML page of another origin: clicks, views, a widget added later, an annotation,
and a spell offline — every event lands exactly once."""

import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from feedback.models import Annotation
from hubs.fastpath import forget_origins
from hubs.models import InteractionEvent
from tests.factories import HubFactory, WidgetFactory, api_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>
<h1>A shop that is not IHF</h1>
<button id="pay" data-ihf-widget="{pay}" data-ihf-hub="{hub}" data-ihf-view-context="/checkout">Pay</button>
<button id="coupon" data-ihf-widget="{coupon}" data-ihf-hub="{hub}"
        data-ihf-view-context="/checkout">Coupon</button>
<div style="height: 2500px"></div>
<section id="footer" data-ihf-widget="{footer}" data-ihf-hub="{hub}"
         data-ihf-view-context="/checkout">Footer</section>
<script src="{ihf}/static/ihf/reporter.js" data-ihf-endpoint="{ihf}/api/v1" data-ihf-key="{key}"
        data-ihf-flush-ms="300"></script>
</body></html>"""


@pytest.fixture
def shop(tmp_path):
    """A plain static site on another origin (another port), serving tmp_path."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _events(widget, event_type):
    return InteractionEvent.objects.filter(widget=widget, event_type=event_type).count()


def _wait_for(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_the_reporter_reports_each_event_exactly_once(browser, live_server, shop, contracts):
    root, origin = shop
    hub = HubFactory(allowed_origins=[origin])
    forget_origins()
    pay, coupon, footer, later = (
        WidgetFactory(hub=hub, name=n) for n in ["Pay", "Coupon", "Footer", "Later"]
    )
    _key, raw = api_key(hub)
    (root / "shop.html").write_text(
        PAGE.format(
            pay=pay.pk, coupon=coupon.pk, footer=footer.pk, hub=hub.slug, ihf=live_server.url, key=raw
        )
    )
    browser.get(f"{origin}/shop.html")
    wait = WebDriverWait(browser, 10)
    wait.until(lambda b: b.execute_script("return !!window.__ihfReporter"))

    browser.find_element(By.ID, "pay").click()
    browser.find_element(By.ID, "pay").click()
    assert _wait_for(lambda: _events(pay, "clicked") == 2 and _events(pay, "viewed") == 1)
    assert _events(footer, "viewed") == 0  # not scrolled into view yet
    browser.execute_script("document.getElementById('footer').scrollIntoView()")
    assert _wait_for(lambda: _events(footer, "viewed") == 1)

    # A widget the page adds later is found too.
    browser.execute_script(
        "var b = document.createElement('button'); b.id = 'later'; b.textContent = 'Later';"
        "b.setAttribute('data-ihf-widget', arguments[0]); b.setAttribute('data-ihf-hub', arguments[1]);"
        "b.setAttribute('data-ihf-view-context', '/checkout');"
        "document.getElementById('footer').appendChild(b);",
        str(later.pk),
        hub.slug,
    )
    wait.until(ec.element_to_be_clickable((By.ID, "later"))).click()
    assert _wait_for(lambda: _events(later, "clicked") == 1)

    # Offline: the events wait, are retried with the same ids, and land once when the network is back.
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    browser.execute_script("window.scrollTo(0, 0)")
    browser.find_element(By.ID, "coupon").click()
    browser.find_element(By.ID, "coupon").click()
    time.sleep(1.2)  # several flush attempts fail meanwhile
    assert _events(coupon, "clicked") == 0
    assert browser.execute_script("return window.__ihfReporter.pending()") >= 2
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    browser.execute_script("window.dispatchEvent(new Event('online'))")
    assert _wait_for(lambda: _events(coupon, "clicked") == 2)
    assert _wait_for(lambda: browser.execute_script("return window.__ihfReporter.pending()") == 0)

    # Alt+click opens the annotation form; it posts once.
    ActionChains(browser).key_down(Keys.ALT).click(browser.find_element(By.ID, "coupon")).key_up(
        Keys.ALT
    ).perform()
    form = wait.until(ec.visibility_of_element_located((By.ID, "ihf-annotate")))
    form.find_element(By.NAME, "body").send_keys("The coupon field rejects lowercase codes")
    Select(form.find_element(By.NAME, "severity")).select_by_value("high")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert _wait_for(lambda: Annotation.objects.filter(widget=coupon).exists())
    annotation = Annotation.objects.get(widget=coupon)
    assert (annotation.body, annotation.severity) == ("The coupon field rejects lowercase codes", "high")
    # "Let IHF decide" was left chosen: the categoriser answered (with no classifier trained yet, `general`).
    assert (annotation.category, annotation.categorisation.fallback) == ("general", True)

    time.sleep(1)  # a last flush interval: nothing may arrive twice
    assert (_events(pay, "clicked"), _events(coupon, "clicked"), _events(later, "clicked")) == (2, 2, 1)
    assert _events(coupon, "clicked") == 2  # the Alt+click annotated; it was not counted as a click
    assert InteractionEvent.objects.filter(widget__hub=hub).count() == len(
        set(InteractionEvent.objects.filter(widget__hub=hub).values_list("id", flat=True))
    )
    assert browser.execute_script("return document.title") == "Shop"  # the host page kept working


COUNTING_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script>
  // Counts the reporter's POSTs of events, to tell a dropped batch from one sent again.
  window.posts = 0;
  var send = window.fetch;
  window.fetch = function (url) {{
    if (String(url).indexOf("/interaction-events") >= 0) {{ window.posts++; }}
    return send.apply(this, arguments);
  }};
</script></head><body>
<button id="pay" data-ihf-widget="{pay}" data-ihf-hub="{hub}" data-ihf-view-context="/checkout">Pay</button>
<button id="ghost" data-ihf-widget="{ghost}" data-ihf-hub="{hub}"
        data-ihf-view-context="/checkout">Ghost</button>
<script src="{ihf}/static/ihf/reporter.js" data-ihf-endpoint="{ihf}/api/v1" data-ihf-key="{key}"
        data-ihf-flush-ms="300" data-ihf-max-queue="5"></script>
</body></html>"""


def _offline(browser, offline):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def test_the_reporter_cuts_whole_characters_drops_refused_batches_and_caps_its_queue(
    browser, live_server, shop, contracts
):
    root, origin = shop
    hub = HubFactory(allowed_origins=[origin])
    forget_origins()
    pay = WidgetFactory(hub=hub, name="Pay")
    ghost = WidgetFactory(hub=HubFactory(), name="Another hub's")  # this key's hub does not know it
    _key, raw = api_key(hub)
    (root / "counting.html").write_text(
        COUNTING_PAGE.format(pay=pay.pk, ghost=ghost.pk, hub=hub.slug, ihf=live_server.url, key=raw)
    )
    browser.get(f"{origin}/counting.html")
    WebDriverWait(browser, 10).until(lambda b: b.execute_script("return !!window.__ihfReporter"))
    assert _wait_for(lambda: _events(pay, "viewed") == 1)
    assert _wait_for(lambda: browser.execute_script("return window.__ihfReporter.pending()") == 0)

    # A script error's message is cut at 300 characters; String.slice would have cut the emoji in half.
    message = "x" * 299 + "\U0001f600 and more"
    browser.find_element(By.ID, "pay").click()
    browser.execute_script("window.dispatchEvent(new ErrorEvent('error', {message: arguments[0]}))", message)
    assert _wait_for(lambda: _events(pay, "error") == 1)
    error = InteractionEvent.objects.get(widget=pay, event_type="error")
    assert error.metadata == {"kind": "script", "message": "x" * 299 + "\U0001f600"}

    # A batch the server refuses (422: a widget of another hub) is dropped, not sent again.
    assert _wait_for(lambda: browser.execute_script("return window.__ihfReporter.pending()") == 0)
    posts = browser.execute_script("return window.posts")
    browser.execute_script("document.getElementById('ghost').click()")
    assert _wait_for(lambda: browser.execute_script("return window.posts") == posts + 1)
    time.sleep(1.5)  # several flush intervals
    assert browser.execute_script("return window.posts") == posts + 1
    assert browser.execute_script("return window.__ihfReporter.pending()") == 0
    assert not InteractionEvent.objects.filter(widget=ghost).exists()

    # Offline, at most data-ihf-max-queue events wait: the oldest are dropped, and counted.
    _offline(browser, True)
    for _ in range(8):
        browser.find_element(By.ID, "pay").click()
    assert browser.execute_script("return window.__ihfReporter.pending()") == 5
    assert browser.execute_script("return window.__ihfReporter.dropped()") == 3
    _offline(browser, False)
    browser.execute_script("window.dispatchEvent(new Event('online'))")
    assert _wait_for(lambda: _events(pay, "clicked") == 1 + 5)  # the click before the error, and 5 of 8
    assert _wait_for(lambda: browser.execute_script("return window.__ihfReporter.pending()") == 0)
    assert InteractionEvent.objects.filter(widget__hub=hub).count() == 1 + 1 + 6  # viewed, error, clicks
