"""A reviewer walks an accepted candidate to an evaluated deployment with a signal, in the browser, and
every panel of the hub's dashboard shows it."""

import pytest
from django.urls import reverse
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from governance.models import DecisionRecord, ImplementationChangeReference, Requirement
from outcomes.models import ChangeEvaluation, DeploymentRecord, OutcomeSignal
from tests.chain import accepted_candidate
from tests.factories import HubFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _gone(element) -> bool:
    """Whether the clicked element's page has been replaced. ChromeDriver answers a question about a node of
    the old document with a stale-element error, or, while the new one is being swapped in, with "Node with
    given id does not belong to the document" (a plain WebDriverException): both mean it is gone."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def test_a_reviewer_walks_a_candidate_to_an_evaluated_deployment(signed_in, live_server):
    hub = HubFactory()
    reviewer = MembershipFactory(hub=hub, role="reviewer").user
    candidate = accepted_candidate(hub, title="Coupon codes are case sensitive")
    browser = signed_in(reviewer)

    def next_page(element):
        """Click and wait for the next page to finish loading: the next lookup must not find the old page's
        elements, and ChromeDriver fails a click on a node of a document that is still loading."""
        element.click()
        wait = WebDriverWait(browser, 10)
        wait.until(lambda driver: _gone(element))
        wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    def click(css):
        next_page(browser.find_element(By.CSS_SELECTOR, css))

    def follow(text):
        next_page(browser.find_element(By.LINK_TEXT, text))

    browser.get(live_server.url + reverse("feedback:candidate", args=[hub.slug, candidate.pk]))
    follow("Promote to a requirement")
    click("form button.primary")
    follow("Record a decision")
    Select(browser.find_element(By.NAME, "outcome")).select_by_value("approved")
    browser.find_element(By.NAME, "rationale").send_keys("Seen every week in support tickets.")
    click("form button.primary")
    Select(browser.find_element(By.NAME, "system")).select_by_value("jira")
    browser.find_element(By.NAME, "work_item_ref").send_keys("PAY-42")
    click("form[action$='/changes/'] button")
    follow("Record a deployment")
    browser.find_element(By.NAME, "version_ref").send_keys("v2026.11.3")
    click("form button.primary")
    Select(browser.find_element(By.NAME, "signal_type")).select_by_value("improved")
    click("form[action$='/signals/'] button")
    Select(browser.find_element(By.NAME, "score")).select_by_value("4")
    browser.find_element(By.NAME, "rationale").send_keys("Fewer failed checkouts.")
    click("form[action$='/evaluation/'] button")

    requirement = Requirement.objects.get(source_candidate=candidate)
    decision = DecisionRecord.objects.get(requirement=requirement)
    deployment = DeploymentRecord.objects.get(decision=decision)
    assert ImplementationChangeReference.objects.get(decision=decision).work_item_ref == "PAY-42"
    assert OutcomeSignal.objects.get(deployment=deployment).signal_type == "improved"
    assert ChangeEvaluation.objects.get(deployment=deployment).score == 4
    assert DecisionRecord.objects.get(pk=decision.pk).outcome_summary["counts"]["improved"] == 1

    browser.get(live_server.url + reverse("outcomes:dashboard", args=[hub.slug]))
    panels = {
        key: browser.find_element(By.ID, f"panel-{key}").text
        for key in ["deployments", "regressions", "recurrence", "scores", "waiting"]
    }
    assert "v2026.11.3" in panels["deployments"] and "4" in panels["deployments"]
    assert "No open regressions." in panels["regressions"]
    assert "1 cycle" in panels["recurrence"]
    assert browser.find_element(By.CSS_SELECTOR, "#panel-scores li:nth-child(4) .num").text == "1"
    assert "Deployments not evaluated 0" in panels["waiting"]
