"""Every page of the web UI, for every role that may see it (the GET rows of the permission matrix), at
1400 and 390 px wide: no page is wider than the window, axe-core finds no serious or critical violation,
and a screenshot of each is saved in tests/browser/artefacts/ (git-ignored) to see how pages look.

axe-core is vendored for the tests only (tests/browser/vendor/axe/, the npm package's axe.min.js)."""

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from selenium.webdriver.support.ui import WebDriverWait

from tests.architecture.test_permission_matrix import MATRIX, ROLES
from tests.architecture.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).parent
ARTEFACTS = HERE / "artefacts"
AXE = (HERE / "vendor" / "axe" / "axe.min.js").read_text()
WIDTHS = (1400, 390)
PAGES = [row for row in MATRIX if row.method == "GET"]
SEVERE = {"serious", "critical"}

SETTLED = """return document.readyState === "complete" && !document.querySelector(".htmx-request")
  && [...document.querySelectorAll("canvas[data-chart]")].every(c => c.dataset.drawn)"""
RUN_AXE = """
var done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(function (result) {
  done(result.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) {
      return n.target.join(" "); })};
  }));
}, function (error) { done([{id: "axe-error", impact: "critical", help: String(error), nodes: []}]); });
"""


def page_url(world, row) -> str:
    url = reverse(row.name, args=[world.value(token) for token in row.args.split()])
    data = {key: world.value(token) for key, token in row.data.items()}
    return f"{url}?{urlencode(data)}" if data else url


def check_page(browser, url, shot_name, *, axe=True) -> list[str]:
    """Open `url` at each width; what is wrong with it (overflow, axe violations), as readable lines."""
    problems = []
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        browser.get(url)
        if not browser.execute_script("return !!document.doctype"):
            return []  # a fragment that htmx fetches into a page (the page itself is checked)
        WebDriverWait(browser, 10).until(lambda b: b.execute_script(SETTLED))
        wide = browser.execute_script("return document.documentElement.scrollWidth")
        window = browser.execute_script("return document.documentElement.clientWidth")
        if wide > window:
            culprits = browser.execute_script(WIDEST, window)
            problems.append(f"{url} at {width} px: {wide} px wide in a {window} px window; {culprits}")
        ARTEFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTEFACTS / f"{shot_name}-{width}.png"))
        if axe and width == WIDTHS[0]:
            browser.execute_script(AXE)
            for violation in browser.execute_async_script(RUN_AXE):
                if violation["impact"] in SEVERE:
                    problems.append(
                        f"{url}: axe {violation['impact']} {violation['id']} ({violation['help']})"
                        f" at {violation['nodes']}"
                    )
    return problems


# The elements that stick out furthest past the window's right edge, to say where an overflow comes from.
WIDEST = """
var edge = arguments[0];
function clipped(e) {
  for (var a = e.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== "visible") { return true; }
  }
  return false;
}
return [...document.querySelectorAll("body *")].filter(function (e) {
  return e.getBoundingClientRect().right > edge + 1 && !clipped(e);
}).slice(-3).map(function (e) { return e.outerHTML.slice(0, 120); });
"""


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_window_and_passes_axe(browser, signed_in, live_server, people, role):
    world = build_world(people)
    if role == "anonymous":  # the emailed links' pages and the sign-in page
        browser.get(live_server.url + "/login/")
        browser.delete_all_cookies()
    else:
        signed_in(getattr(people, role))
    browser.set_script_timeout(60)
    problems = []
    try:
        if role == "anonymous":
            problems += check_page(browser, live_server.url + "/login/", "anonymous-login")
        for row in PAGES:
            if row.expect[ROLES.index(role)] != 200:
                continue
            name = re.sub(r"[^a-z0-9]+", "-", f"{role} {row.label}".lower()).strip("-")
            problems += check_page(browser, live_server.url + page_url(world, row), name)
    finally:
        browser.set_window_size(1280, 1000)
    assert not problems, "\n".join(problems)
