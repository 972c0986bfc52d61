"""With JavaScript, triage actions on the board update the card and the column counts in place."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from feedback.models import RequirementCandidate, TriageState
from tests.factories import CandidateFactory, HubFactory, MembershipFactory, WidgetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_moving_and_marking_duplicate_without_leaving_the_board(signed_in, live_server):
    hub = HubFactory()
    steward = MembershipFactory(hub=hub, role="steward").user
    widget = WidgetFactory(hub=hub)
    original = CandidateFactory(source_widget=widget, title="Coupon field rejects lowercase codes")
    moving = CandidateFactory(source_widget=widget, title="Slow totals")
    copy = CandidateFactory(source_widget=widget, title="Lowercase coupons fail")
    browser = signed_in(steward)
    browser.get(live_server.url + reverse("feedback:board", args=[hub.slug]))
    browser.execute_script("window.ihfNoReload = true;")
    wait = WebDriverWait(browser, 10)
    assert browser.find_element(By.ID, "count-open").text == "3"

    card = browser.find_element(By.ID, f"candidate-{moving.pk}")
    card.find_element(By.CSS_SELECTOR, "form[action$='/transition/'] input[name=notes]").send_keys("on it")
    card.find_element(By.CSS_SELECTOR, "form[action$='/transition/'] button").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "count-under_review"), "1"))
    assert browser.find_element(By.ID, "count-open").text == "2"
    assert browser.find_elements(By.CSS_SELECTOR, f"#column-under_review #candidate-{moving.pk}")

    card = browser.find_element(By.ID, f"candidate-{copy.pk}")
    card.find_element(By.CSS_SELECTOR, "details.duplicate summary").click()
    card.find_element(By.NAME, "dup_q").send_keys("lowercase")
    wait.until(
        ec.presence_of_element_located(
            (By.CSS_SELECTOR, f"#dup-results-{copy.pk} input[value='{original.pk}']")
        )
    )
    card.find_element(By.CSS_SELECTOR, f"#dup-results-{copy.pk} input[value='{original.pk}']").click()
    card.find_element(By.CSS_SELECTOR, f"#dup-results-{copy.pk} button").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "count-duplicate"), "1"))
    assert browser.execute_script("return window.ihfNoReload === true")

    assert RequirementCandidate.objects.get(pk=moving.pk).status == "under_review"
    assert TriageState.objects.get(candidate=moving).notes == "on it"
    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of_id) == ("duplicate", original.pk)
