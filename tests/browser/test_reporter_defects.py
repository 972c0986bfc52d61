"""The reporter's defects of issue 20 on plain pages, each test failing with the reporter before it: Alt+click
ran the host's handler (1), a queue at close was cut to one in-flight batch (2), views were counted per
element (3), early image errors, late script errors and rejections were lost (6), and the reporter failed
silently when imported as a module, refused, or kept out by the hub's origins (7)."""

import time
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from hubs.fastpath import forget_origins
from hubs.models import InteractionEvent
from tests.browser.reporter_pages import count, pending, site, wait_for
from tests.factories import HubFactory, WidgetFactory, api_key

SERVED = Path(__file__).resolve().parents[2] / "static" / "ihf" / "reporter.js"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["site"]

HEAD = """<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script>
  // Counts the reporter's POSTs of events (to tell one try from retries without end).
  window.posts = 0;
  var send = window.fetch;
  window.fetch = function (url, init) {{
    // Not the reporter's two probes after a failure (an empty batch, an opaque request).
    var probe = init && (init.mode === "no-cors" || String(init.body).indexOf('"events":[]') >= 0);
    if (String(url).indexOf("/interaction-events") >= 0 && !probe) {{ window.posts++; }}
    return send.apply(this, arguments);
  }};
</script></head><body>"""
SCRIPT = (
    '<script src="{ihf}/static/ihf/reporter.js" data-ihf-endpoint="{ihf}/api/v1" data-ihf-key="{key}" '
    'data-ihf-flush-ms="{flush}" {extra}></script>'
)


@pytest.fixture
def page(site, live_server, contracts, browser):
    """page(body, allowed=True, flush=300, extra="") writes and opens a page with the reporter."""
    root, origin = site
    hub = HubFactory(allowed_origins=[origin])
    forget_origins()
    _key, raw = api_key(hub)

    def open_page(body, *, allowed=True, flush=300, extra="", script=SCRIPT):
        if not allowed:
            hub.allowed_origins = ["http://localhost:1"]
            hub.save(update_fields=["allowed_origins"])
            forget_origins()
        tag = script.format(ihf=live_server.url, key=raw, flush=flush, extra=extra)
        (root / "page.html").write_text(HEAD.format() + body + tag + "</body></html>")
        browser.get(f"{origin}/page.html")
        WebDriverWait(browser, 10).until(lambda b: b.execute_script("return !!window.__ihfReporter"))
        return browser

    open_page.hub, open_page.root = hub, root
    return open_page


def _widget(hub, name="Pay"):
    return WidgetFactory(hub=hub, name=name)


def test_alt_click_annotates_without_running_the_hosts_handler(page):
    pay = _widget(page.hub)
    browser = page(
        f'<button id="pay" data-ihf-widget="{pay.pk}" data-ihf-hub="{page.hub.slug}" '
        """onclick="document.getElementById('paid').textContent++">Pay now</button>"""
        '<output id="paid">0</output>'
    )
    button = browser.find_element("id", "pay")
    ActionChains(browser).key_down(Keys.ALT).click(button).key_up(Keys.ALT).perform()
    WebDriverWait(browser, 5).until(lambda b: b.find_element("id", "ihf-annotate"))
    assert browser.find_element("id", "paid").text == "0"  # annotating "Pay now" did not pay
    browser.find_element("css selector", "#ihf-annotate [data-ihf-close]").click()
    # On a touch screen, a long press annotates, and does not pay either.
    touch = ActionBuilder(browser, mouse=PointerInput(interaction.POINTER_TOUCH, "finger"))
    touch.pointer_action.move_to(button).pointer_down().pause(1).pointer_up()
    touch.perform()
    WebDriverWait(browser, 5).until(lambda b: b.find_element("id", "ihf-annotate"))
    assert browser.find_element("id", "paid").text == "0"
    browser.find_element("css selector", "#ihf-annotate [data-ihf-close]").click()
    button.click()
    assert browser.find_element("id", "paid").text == "1"
    assert wait_for(lambda: count(pay, "clicked") == 1)
    time.sleep(0.5)
    assert count(pay, "clicked") == 1


def test_a_view_is_once_per_widget_id_per_page_view(page):
    hub = page.hub
    tall, swap_a, swap_b, later, pay = (_widget(hub, n) for n in ["Tall", "A", "B", "Later", "Pay"])
    browser = page(
        f'<button id="pay" data-ihf-widget="{pay.pk}" data-ihf-hub="{hub.slug}">Pay</button>'
        f'<button id="swap" data-ihf-widget="{swap_a.pk}" data-ihf-hub="{hub.slug}">Swap</button>'
        '<div id="plain">No envelope yet</div><div style="height: 1500px"></div>'
        f'<section id="tall" data-ihf-widget="{tall.pk}" data-ihf-hub="{hub.slug}" '
        'style="height: 2600px; background: #eee">Taller than twice the viewport</section>'
    )
    assert wait_for(lambda: count(pay, "viewed") == 1 and count(swap_a, "viewed") == 1)
    # The id changes in place: a new widget, viewed.
    browser.execute_script(
        "document.getElementById('swap').setAttribute('data-ihf-widget', arguments[0])", str(swap_b.pk)
    )
    # An envelope put on an element already there.
    browser.execute_script(
        "var p = document.getElementById('plain'); p.setAttribute('data-ihf-hub', arguments[1]);"
        "p.setAttribute('data-ihf-widget', arguments[0]);",
        str(later.pk),
        hub.slug,
    )
    # Remounted with the same id: the same widget, already viewed in this page view.
    browser.execute_script(
        "var b = document.getElementById('pay'), c = b.cloneNode(true); b.remove();"
        "setTimeout(function () { document.body.prepend(c); }, 50);"
    )
    # The tall section shows a third of itself at most, but fills the viewport.
    browser.execute_script("window.scrollTo(0, document.getElementById('tall').offsetTop + 800)")
    assert wait_for(
        lambda: count(tall, "viewed") == 1 and count(swap_b, "viewed") == 1 and count(later, "viewed") == 1
    )
    time.sleep(1)
    views = {w.name: count(w, "viewed") for w in [tall, swap_a, swap_b, later, pay]}
    assert views == {"Tall": 1, "A": 1, "B": 1, "Later": 1, "Pay": 1}


def test_250_events_waiting_at_close_all_arrive(page):
    pay = _widget(page.hub)
    browser = page(
        f'<button id="pay" data-ihf-widget="{pay.pk}" data-ihf-hub="{page.hub.slug}">Pay</button>',
        flush=600000,
    )
    browser.execute_script("for (var i = 0; i < 250; i++) document.getElementById('pay').click();")
    browser.get("about:blank")  # 200 were in flight; the other 50 go in a beacon
    assert wait_for(lambda: count(pay, "clicked") == 250), count(pay, "clicked")
    time.sleep(1)
    assert count(pay, "clicked") == 250


def test_errors_before_the_reporter_late_ones_and_rejections_are_reported(page):
    pay, picture = _widget(page.hub), _widget(page.hub, "Picture")
    # The reporter is added once the page has loaded (as `defer` or a tag manager may): the image failed
    # before it.
    loader = (
        "<script>window.addEventListener('load', function () {{ var s = document.createElement('script');"
        "s.src = '{ihf}/static/ihf/reporter.js'; s.setAttribute('data-ihf-endpoint', '{ihf}/api/v1');"
        "s.setAttribute('data-ihf-key', '{key}'); s.setAttribute('data-ihf-flush-ms', '{flush}');"
        "document.body.appendChild(s); }});</script>{extra}"
    )
    browser = page(
        f'<figure data-ihf-widget="{picture.pk}" data-ihf-hub="{page.hub.slug}">'
        '<img src="missing.png" alt=""></figure>'
        f'<button id="pay" data-ihf-widget="{pay.pk}" data-ihf-hub="{page.hub.slug}" onclick="'
        "Promise.reject(new Error('declined'));"
        "setTimeout(function () { throw new Error('late failure'); }, 2500);\">Pay</button>",
        script=loader,
    )
    assert wait_for(lambda: count(picture, "error") == 1)
    browser.find_element("id", "pay").click()
    assert wait_for(lambda: count(pay, "error") == 2)
    errors = InteractionEvent.objects.filter(widget=pay, event_type="error").order_by("occurred_at")
    assert [e.metadata for e in errors] == [
        {"kind": "rejection", "message": "declined"},
        {"kind": "script", "message": "late failure"},
    ]
    assert InteractionEvent.objects.get(widget=picture, event_type="error").metadata == {
        "kind": "resource",
        "tag": "img",
    }


def test_as_a_module_it_reports_and_debug_mode_explains_refused_events(page):
    pay = _widget(page.hub)
    ghost = WidgetFactory(hub=HubFactory(), name="Another hub's")
    # document.currentScript is null in a module. (A module script is fetched with CORS: serve it from the
    # page's own origin, as a bundle would be.)
    page.root.joinpath("reporter.js").write_text(SERVED.read_text())
    module = SCRIPT.replace(
        '<script src="{ihf}/static/ihf/reporter.js"', '<script type="module" src="reporter.js"'
    )
    browser = page(
        f'<button id="pay" data-ihf-widget="{pay.pk}" data-ihf-hub="{page.hub.slug}">Pay</button>'
        f'<button id="ghost" data-ihf-widget="{ghost.pk}" data-ihf-hub="elsewhere">Ghost</button>',
        extra="data-ihf-debug",
        script=module,
        flush=60000,
    )
    browser.find_element("id", "pay").click()
    browser.find_element("id", "ghost").click()
    browser.execute_script("window.__ihfReporter.flush()")
    assert wait_for(lambda: count(pay, "clicked") == 1)
    # Refused in a 200 answer (the other events were stored): the ghost's view and click, named in the
    # console.
    assert wait_for(lambda: browser.execute_script("return window.__ihfReporter.rejected()") == 2)
    assert count(pay, "viewed") == 1
    logs = " ".join(entry["message"] for entry in browser.get_log("browser"))
    assert f'refused a clicked event of widget {ghost.pk} (data-ihf-hub=\\"elsewhere\\")' in logs
    assert pending(browser) == 0


def test_an_origin_the_hub_does_not_allow_is_explained_and_not_retried_without_end(page):
    pay = _widget(page.hub)
    browser = page(
        f'<button id="pay" data-ihf-widget="{pay.pk}" data-ihf-hub="{page.hub.slug}">Pay</button>',
        allowed=False,
    )
    assert wait_for(lambda: browser.execute_script("return window.posts") >= 1)
    time.sleep(4)  # the old reporter tried again after 1, 2 and 4 s
    assert browser.execute_script("return window.posts") == 1
    logs = " ".join(entry["message"] for entry in browser.get_log("browser"))
    assert "does not allow this page's origin (http://127.0.0.1:" in logs
    assert pending(browser) == 1  # kept, for when the origin is allowed
    assert not InteractionEvent.objects.filter(widget=pay).exists()


def test_nothing_is_sent_or_kept_before_consent_and_events_carry_the_actor(page):
    pay = _widget(page.hub)
    actor = "0195f3c2-6a1b-7c3d-8e4f-5a6b7c8d9e0f"
    browser = page(
        f'<button id="pay" data-ihf-widget="{pay.pk}" data-ihf-hub="{page.hub.slug}">Pay</button>',
        extra='data-ihf-consent="required"',
    )
    browser.find_element("id", "pay").click()
    time.sleep(1)  # several flush intervals
    assert browser.execute_script("return window.posts") == 0
    assert (
        browser.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('ihf.queue.'))")
        == []
    )
    browser.execute_script(
        f"window.__ihfReporter.setActor('{actor}', 'customer'); window.__ihfReporter.consent(true)"
    )
    browser.find_element("id", "pay").click()
    assert wait_for(lambda: count(pay, "clicked") == 2 and count(pay, "viewed") == 1)
    # The events recorded before consent waited in memory; those after it carry the actor.
    actors = set(
        InteractionEvent.objects.filter(widget=pay, event_type="clicked").values_list(
            "actor_id", "actor_type"
        )
    )
    assert actors == {(None, "user"), (uuid.UUID(actor), "customer")}

    # A session out of the sample reports nothing.
    browser.execute_script("window.__ihfReporter.configure({sampleRate: 0})")
    browser.find_element("id", "pay").click()
    time.sleep(1)
    assert count(pay, "clicked") == 2
