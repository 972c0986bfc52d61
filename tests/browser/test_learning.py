"""The learning dashboard and the knowledge search, in a real browser: reached from the nav, the trend chart
draws, a panel refreshes itself, acting on an insight swaps its panel, and search narrows as one types."""

import pytest
from django.urls import reverse
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from learning import compute, services
from learning.models import LearningInsight
from tests.learning import history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learned(people, settings):
    settings.IHF_LEARNING = {"window_days": 180, "min_samples": 2, "min_deployments": 2, "insight_days": 14}
    settings.IHF_LEARNING_REFRESH_SECONDS = 1
    small = history.build(people)
    compute.refresh_all()
    for name in ["D1", "D3"]:
        services.knowledge_distil(decision=small.decisions[name], actor=people.steward)
    return small


def test_the_dashboard_draws_refreshes_and_acts_in_place(signed_in, live_server, people, learned):
    browser = signed_in(people.steward)
    browser.get(live_server.url + reverse("hubs:list"))
    browser.find_element(By.LINK_TEXT, "Learning").click()
    # The panels refresh themselves (htmx): an element read during a swap is stale; the wait reads it again.
    wait = WebDriverWait(browser, 10, ignored_exceptions=[StaleElementReferenceException])
    wait.until(ec.presence_of_element_located((By.ID, "learning-patterns")))
    wait.until(
        lambda b: b.execute_script("return document.querySelector('canvas[data-chart=trend]').dataset.drawn")
    )
    compute.calibrate()  # nothing new: the pending ones stay
    LearningInsight.objects.create(
        hub=people.hub,
        insight_type="correlation",
        statement="A fresh insight",
        evidence={},
        fingerprint="fresh",
    )
    wait.until(ec.text_to_be_present_in_element((By.ID, "learning-insights"), "A fresh insight"))
    browser.execute_script("window.ihfNoReload = true;")
    fresh = LearningInsight.objects.get(fingerprint="fresh")
    browser.find_element(By.CSS_SELECTOR, f"#insight-{fresh.pk} button[value=dismissed]").click()
    wait.until(lambda b: "A fresh insight" not in b.find_element(By.ID, "learning-insights").text)
    assert browser.execute_script("return window.ihfNoReload === true")
    assert LearningInsight.objects.get(pk=fresh.pk).status == "dismissed"


def test_the_knowledge_search_narrows_as_one_types(signed_in, live_server, people, learned):
    browser = signed_in(people.viewer)
    browser.get(f"{live_server.url}/hubs/{people.hub.slug}/learning/")
    browser.find_element(By.CSS_SELECTOR, "#learning-knowledge input[name=q]").send_keys("friction\n")
    # The panels refresh themselves (htmx): an element read during a swap is stale; the wait reads it again.
    wait = WebDriverWait(browser, 10, ignored_exceptions=[StaleElementReferenceException])
    wait.until(ec.text_to_be_present_in_element((By.ID, "results"), "1 entry"))
    assert browser.find_element(By.CSS_SELECTOR, "#results mark").text.lower() == "friction"
    browser.execute_script("window.ihfNoReload = true;")
    box = browser.find_element(By.ID, "id_q")
    box.clear()
    box.send_keys("sort buttons")
    wait.until(ec.text_to_be_present_in_element((By.ID, "results"), "2 entries"))
    assert browser.execute_script("return window.ihfNoReload === true")
