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
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


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
