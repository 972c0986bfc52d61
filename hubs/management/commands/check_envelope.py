import re
import shutil
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hubs.models import EnvelopeEmissionContract

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
FORMATS = {"uuid": (UUID, "is not a UUID"), "slug": (SLUG, "is not a slug")}
# The attributes that make an element a widget's. The reporter's own <script> carries data-ihf-endpoint,
# data-ihf-key, even data-ihf-hub: configuration, not a widget.
ENVELOPE = (
    "data-ihf-widget",
    "data-ihf-hub",
    "data-ihf-view-context",
    "data-ihf-widget-type",
    "data-ihf-version",
)
NEEDS_CHROMIUM = (
    "--render needs Chromium, its driver and selenium: apt-get install chromium chromium-driver, and "
    "pip install selenium (IHF's dev extras have it)."
)
# Every element with envelope attributes, in the document and in open shadow roots, where the browser has
# them after the page's scripts ran: [where, tag, {attribute: value}].
COLLECT = """
const found = [];
function walk(root, where) {
  for (const el of root.querySelectorAll("*")) {
    const attributes = {};
    for (const a of el.attributes) if (a.name.startsWith("data-ihf-")) attributes[a.name] = a.value;
    const tag = el.tagName.toLowerCase();
    if (Object.keys(attributes).length && tag !== "script" && !el.hasAttribute("data-ihf-ui")) {
      const label = tag + (el.id ? "#" + el.id : "");
      found.push([where ? where + " > " + label : label, tag, attributes]);
    }
    if (el.shadowRoot) walk(el.shadowRoot, (where ? where + " > " : "") + tag + "::shadow-root");
  }
}
walk(document, "");
return found;
"""


class _Collector(HTMLParser):
    """Elements with envelope attributes, and their line numbers (the reporter's <script> is not one)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs if name.startswith("data-ihf-")}
        if tag != "script" and any(name in attributes for name in ENVELOPE):
            self.elements.append((f"line {self.getpos()[0]}", tag, attributes))

    handle_startendtag = handle_starttag


def check(elements, contract) -> list[str]:
    """One line per element of (where, tag, attributes) that breaks the contract."""
    found = []
    for where, tag, attributes in elements:
        issues = [f"missing {name}" for name in contract.required_attributes if not attributes.get(name)]
        for name, rule in (contract.validation_rules or {}).items():
            value = attributes.get(name)
            if value and rule.get("format") in FORMATS:
                pattern, message = FORMATS[rule["format"]]
                if not pattern.match(value):
                    issues.append(f"{name}={value!r} {message}")
            if value and rule.get("max_length") and len(value) > rule["max_length"]:
                issues.append(f"{name} is longer than {rule['max_length']} characters")
        if issues:
            found.append(f"{where}: <{tag}> " + "; ".join(issues))
    return found


def problems(html: str, contract) -> tuple[list[str], int]:
    collector = _Collector()
    collector.feed(html)
    return check(collector.elements, contract), len(collector.elements)


def rendered_elements(url: str, wait: float) -> list[tuple[str, str, dict]]:
    """The envelope elements of `url` as headless Chromium has them `wait` seconds after it loaded."""
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise CommandError(NEEDS_CHROMIUM) from None
    if not (chromium and driver_path):
        raise CommandError(NEEDS_CHROMIUM)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.get(url)
        driver.implicitly_wait(0)
        driver.execute_async_script(
            "setTimeout(arguments[arguments.length - 1], arguments[0])", int(wait * 1000)
        )
        return [(where, tag, attributes) for where, tag, attributes in driver.execute_script(COLLECT)]
    except WebDriverException as error:
        raise CommandError(f"Chromium could not render {url}: {error.msg}") from None
    finally:
        driver.quit()


class Command(BaseCommand):
    help = "Report which elements of an HTML page break the active envelope contract."

    def add_arguments(self, parser):
        parser.add_argument("source", help="an HTML file, or an http(s) URL")
        parser.add_argument(
            "--render",
            action="store_true",
            help="check the page as headless Chromium renders it (after its scripts, in open shadow roots)",
        )
        parser.add_argument(
            "--wait", type=float, default=2.0, help="with --render: seconds to let the page's scripts run (2)"
        )

    def handle(self, *args, source, render=False, wait=2.0, **options):
        contract = EnvelopeEmissionContract.objects.filter(status="active").order_by("-created_at").first()
        if contract is None:
            raise CommandError("There is no active envelope contract (run the migrations).")
        remote = source.startswith(("http://", "https://"))
        if not remote and not Path(source).is_file():
            raise CommandError(f"{source}: no such file.")
        if render:
            url = source if remote else Path(source).resolve().as_uri()
            elements = rendered_elements(url, wait)
            found, total = check(elements, contract), len(elements)
        else:
            found, total = problems(self._read(source, remote), contract)
        for problem in found:
            self.stdout.write(problem)
        summary = f"{total} widget element(s), {len(found)} breaking envelope {contract.contract_version}."
        if found:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def _read(source: str, remote: bool) -> str:
        if not remote:
            return Path(source).read_text(errors="replace")
        try:
            with urllib.request.urlopen(source, timeout=20) as response:
                return response.read().decode(response.headers.get_content_charset() or "utf-8", "replace")
        except OSError as error:
            raise CommandError(f"Could not fetch {source}: {error}") from None
