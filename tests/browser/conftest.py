import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service


@pytest.fixture(scope="session")
def browser():
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and chromedriver, (
        "browser tests need Debian's chromium and chromium-driver (bin/ihf test installs them)"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        # The machine has no network beyond loopback: keep Chromium from trying.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]:
        options.add_argument(argument)
    # The console, where Chromium reports every Content-Security-Policy violation (no_csp_violations).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.implicitly_wait(0)
    # Every page also keeps the violations it sees in window.ihfCspViolations, from before its own scripts.
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
    yield driver
    driver.quit()


CSP_LISTENER = """
window.ihfCspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.ihfCspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " +
    (event.sourceFile || "") + ":" + event.lineNumber);
});
"""


def csp_violations(logs) -> list[str]:
    return [entry["message"] for entry in logs if "Content Security Policy" in entry["message"]]


@pytest.fixture(autouse=True)
def no_csp_violations(browser):
    """Every browser test also checks that the pages it went through broke no Content-Security-Policy rule:
    under the policy a refused script or style fails silently, or half-works."""
    browser.get_log("browser")  # what earlier tests left
    yield
    assert not csp_violations(browser.get_log("browser"))


@pytest.fixture
def signed_in(browser, live_server, client):
    """Sign `user` in by handing the browser a session cookie made by Django's test client."""

    def sign_in(user):
        client.force_login(user)
        browser.get(live_server.url + "/login/")
        browser.delete_all_cookies()
        browser.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
        return browser

    return sign_in
