"""The reporter in real front ends: production builds of a React 19, a React 18 (the same page's source built
against React 18: reporter/hosts/react18/) and a Vue 3 page (reporter/hosts/, built by Vite through
`bin/ihf test`) and a page of custom elements with shadow DOM, each driven the same way —
clicks, a submit, a handler that throws, a widget added late, a widget re-rendered with a new id, Alt+click
and keyboard annotation, a route change, and the tab closed with 500 events waiting — and every event must
land exactly once on the right widget."""

import json
import shutil

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from feedback.models import Annotation
from hubs.fastpath import forget_origins
from hubs.models import InteractionEvent
from tests.browser.reporter_pages import built_host, count, deep, pending, site, wait_for
from tests.factories import HubFactory, WidgetFactory, api_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["site"]

NAMES = ["pay", "coupon", "form", "boom", "late", "swapA", "swapB"]

ELEMENTS_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Elements shop</title>
<script>window.ihfConfig = {{hub: "{hub}", flushMs: 300, debug: true}};</script>
<script src="{ihf}/static/ihf/reporter.js" data-ihf-endpoint="{ihf}/api/v1" data-ihf-key="{key}"
        defer></script>
</head><body>
<h1>Elements shop <small id="route">/</small></h1>
<!-- The envelope on the host element, the button in its shadow root. -->
<shop-button id="pay" widget="{pay}" label="Pay now"></shop-button>
<output id="paid">0</output>
<!-- The envelope inside the shadow root (coupon, form). -->
<shop-checkout id="checkout"></shop-checkout>
<shop-button id="boom" widget="{boom}" label="Boom" throws></shop-button>
<button id="add-late">Show more</button>
<div id="later"></div>
<button id="swap-toggle">Swap</button>
<shop-button id="swap" widget="{swapA}" label="Swapped"></shop-button>
<button id="route-next">Next page</button>
<script>
  class ShopButton extends HTMLElement {{
    static observedAttributes = ["widget"];
    constructor() {{
      super();
      this.attachShadow({{mode: "open"}}).innerHTML = "<button part='button'></button>";
      this.shadowRoot.querySelector("button").addEventListener("click", () => {{
        if (this.hasAttribute("throws")) throw new Error("card declined");
        if (this.id === "pay") document.getElementById("paid").textContent++;
      }});
    }}
    connectedCallback() {{
      this.shadowRoot.querySelector("button").textContent = this.getAttribute("label");
    }}
    attributeChangedCallback() {{
      this.setAttribute("data-ihf-widget", this.getAttribute("widget"));
      this.setAttribute("data-ihf-hub", "{hub}");
    }}
  }}
  customElements.define("shop-button", ShopButton);
  // Defined after the reporter has started: its shadow root appears with no mutation to see.
  class ShopCheckout extends HTMLElement {{
    connectedCallback() {{
      const root = this.attachShadow({{mode: "open"}});
      root.innerHTML = '<button id="coupon" data-ihf-widget="{coupon}" data-ihf-hub="{hub}">Coupon</button>' +
        '<form data-ihf-widget="{form}" data-ihf-hub="{hub}"><input name="email" value="a@b.c">' +
        '<button id="place" type="submit">Place order</button></form>';
      root.querySelector("form").addEventListener("submit", (e) => e.preventDefault());
    }}
  }}
  const defineLater = () => customElements.define("shop-checkout", ShopCheckout);
  window.addEventListener("load", () => setTimeout(defineLater, 200));
  document.getElementById("add-late").onclick = () => {{
    const late = document.createElement("shop-button");
    late.id = "late"; late.setAttribute("label", "Late"); late.setAttribute("widget", "{late}");
    document.getElementById("later").appendChild(late);
  }};
  document.getElementById("swap-toggle").onclick = () =>
    document.getElementById("swap").setAttribute("widget", "{swapB}");
  document.getElementById("route-next").onclick = () => {{
    history.pushState({{}}, "", "/shop/next");
    document.getElementById("route").textContent = location.pathname;
  }};
</script>
</body></html>"""


@pytest.fixture
def shop(site, live_server, contracts):
    """A hub with the seven widgets, an ingest key, and a function that lays out a host page."""
    root, origin = site
    hub = HubFactory(allowed_origins=[origin])
    forget_origins()
    widgets = {name: WidgetFactory(hub=hub, name=name) for name in NAMES}
    _key, raw = api_key(hub)

    def lay_out(host):
        if host == "elements":
            page = ELEMENTS_PAGE.format(
                ihf=live_server.url, key=raw, hub=hub.slug, **{n: w.pk for n, w in widgets.items()}
            )
            (root / "index.html").write_text(page)
        else:
            shutil.copytree(built_host(host), root, dirs_exist_ok=True)
            config = {
                "endpoint": f"{live_server.url}/api/v1",
                "key": raw,
                "hub": hub.slug,
                "widgets": {n: str(w.pk) for n, w in widgets.items()},
            }
            (root / "config.js").write_text(f"window.IHF_HOST = {json.dumps(config)};")
        return f"{origin}/index.html"

    return lay_out, widgets


def _el(browser, name):
    return deep(browser, f"#{name}, [data-testid={name}]")


def _click(browser, name):
    """A real click (through the browser's input) in the middle of the element, inside a shadow root too."""
    element = _el(browser, name)
    assert element is not None, name
    target = browser.execute_script(INNER_BUTTON, element)
    ActionChains(browser).move_to_element(target).click().perform()


INNER_BUTTON = "var e = arguments[0]; return e.shadowRoot ? e.shadowRoot.querySelector('button') : e;"


REACT_VERSIONS = {"react": "19.", "react18": "18."}


@pytest.mark.parametrize("host", ["react", "react18", "vue", "elements"])
def test_every_event_lands_once_on_its_widget(browser, shop, host):
    lay_out, w = shop
    url = lay_out(host)
    browser.get(url)
    WebDriverWait(browser, 15).until(lambda b: b.execute_script("return !!window.__ihfReporter"))
    if host in REACT_VERSIONS:  # the page runs the React it was built for
        version = browser.find_element("id", "react-version").text
        assert version.startswith(REACT_VERSIONS[host]), version
    assert wait_for(lambda: _el(browser, "coupon") is not None)  # the late-defined element is there

    for _ in range(2):
        _click(browser, "pay")
    _click(browser, "place")  # submits the form widget (and is a click on it)
    _click(browser, "boom")  # its handler throws
    _click(browser, "add-late")
    assert wait_for(lambda: _el(browser, "late") is not None)
    _click(browser, "late")
    _click(browser, "swap-toggle")
    assert wait_for(lambda: count(w["swapB"], "viewed") == 1)
    _click(browser, "swap")

    # Alt+click annotates, and the host's handler does not run ("Pay now" does not pay).
    pay = _el(browser, "pay")
    ActionChains(browser).key_down(Keys.ALT).click(pay).key_up(Keys.ALT).perform()
    form = WebDriverWait(browser, 5).until(lambda b: b.find_element("id", "ihf-annotate"))
    form.find_element("name", "body").send_keys("Pay now is hard to find")
    form.find_element("css selector", "button[type=submit]").click()
    assert wait_for(lambda: Annotation.objects.filter(widget=w["pay"]).exists())
    assert browser.execute_script("return document.getElementById('paid').textContent") == "2"
    # The keyboard way: Alt+Shift+A on the focused widget.
    browser.execute_script("arguments[0].focus()", _el(browser, "coupon"))
    ActionChains(browser).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys("a").key_up(Keys.SHIFT).key_up(
        Keys.ALT
    ).perform()
    WebDriverWait(browser, 5).until(lambda b: b.find_element("id", "ihf-annotate"))

    expected = {
        ("pay", "clicked"): 2,
        ("form", "clicked"): 1,
        ("form", "submitted"): 1,
        ("boom", "clicked"): 1,
        ("boom", "error"): 1,
        ("late", "clicked"): 1,
        ("swapB", "clicked"): 1,
        ("swapA", "clicked"): 0,
        ("coupon", "clicked"): 0,
    } | {(name, "viewed"): 1 for name in NAMES}
    actual = lambda: {(n, t): count(w[n], t) for n, t in expected}  # noqa: E731
    assert wait_for(lambda: actual() == expected), actual()
    assert wait_for(lambda: pending(browser) == 0)

    # A route change is a new page view: the widgets still shown are viewed again.
    _click(browser, "route-next")
    assert wait_for(lambda: count(w["pay"], "viewed") == 2)
    views = InteractionEvent.objects.filter(widget=w["pay"], event_type="viewed")
    assert len({v.metadata["page_view"] for v in views}) == 2
    # A widget's data-ihf-view-context wins; without one, the route it was viewed on.
    contexts = {"/index.html", "/shop/next"} if host == "elements" else {"/checkout"}
    assert {v.view_context_ref for v in views} == contexts
    assert wait_for(lambda: pending(browser) == 0)
    # Every widget still on the page was viewed again; swapA is gone; nothing else moved.
    expected |= {(name, "viewed"): 2 for name in NAMES if name != "swapA"}
    assert wait_for(lambda: actual() == expected), actual()

    # 500 events waiting when the tab closes: beacons under the quota, the rest sent by the next page.
    browser.execute_script(
        "window.__ihfReporter.configure({flushMs: 3600000, maxBatch: 1000});"
        "for (var i = 0; i < 500; i++) arguments[0].click();",
        browser.execute_script(INNER_BUTTON, _el(browser, "pay")),
    )
    assert pending(browser) == 500
    browser.get("about:blank")
    # Beacons carried what fits Chrome's 64 KiB keep-alive quota (not all 500); the page kept the rest.
    assert wait_for(lambda: count(w["pay"], "clicked") > 2 + 100)
    assert count(w["pay"], "clicked") < 502
    browser.get(url)
    assert wait_for(lambda: count(w["pay"], "clicked") == 502, timeout=30), count(w["pay"], "clicked")
    assert wait_for(lambda: pending(browser) == 0)
    assert count(w["pay"], "clicked") == 502
    assert Annotation.objects.filter(widget=w["pay"]).count() == 1
