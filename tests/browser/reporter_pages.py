"""What the reporter's browser tests share: a static site on another origin, deep element look-ups (through
open shadow roots), and waiting for the database to hold what a page sent."""

import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hubs.models import InteractionEvent

REPORTER = Path(__file__).resolve().parents[2] / "reporter"
NOT_BUILT = (
    "the reporter's host pages are not built: `bin/ihf test` builds them "
    "(or: cd reporter && npm ci && npm run build && npm run build:hosts)"
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_head(self):
        # A single-page app's routes all serve its index.html, as a real host would.
        path = Path(self.translate_path(self.path))
        if not path.exists() and "." not in path.name:
            self.path = "/index.html"
        return super().send_head()


@pytest.fixture
def site(tmp_path):
    """A static site on another origin (another port), serving tmp_path: (folder, origin)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def built_host(name: str) -> Path:
    dist = REPORTER / "hosts" / name / "dist"
    if not (dist / "index.html").is_file():
        pytest.fail(NOT_BUILT)
    return dist


DEEP = """
const selector = arguments[0];
function find(root) {
  const hit = root.querySelector(selector);
  if (hit) return hit;
  for (const el of root.querySelectorAll("*")) {
    if (el.shadowRoot) { const inner = find(el.shadowRoot); if (inner) return inner; }
  }
  return null;
}
return find(document);
"""


def deep(browser, selector):
    """The first element matching `selector` in the page or any open shadow root in it."""
    return browser.execute_script(DEEP, selector)


def wait_for(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def count(widget, event_type):
    return InteractionEvent.objects.filter(widget=widget, event_type=event_type).count()


def pending(browser):
    return browser.execute_script("return window.__ihfReporter ? window.__ihfReporter.pending() : -1")
