"""The interactive API docs render in a real browser, from assets IHF serves itself."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_every_endpoint(browser, live_server):
    browser.get(live_server.url + "/api/docs")
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock-summary-path"))
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {
        "/api/v1/interaction-events",
        "/api/v1/annotations",
        "/api/v1/widgets",
        "/api/v1/contracts",
    } <= paths
    assert not browser.find_elements(By.CSS_SELECTOR, ".errors-wrapper")
    scripts = [
        s.get_attribute("src") for s in browser.find_elements(By.TAG_NAME, "script") if s.get_attribute("src")
    ]
    assert scripts and all(src.startswith(live_server.url) for src in scripts)
