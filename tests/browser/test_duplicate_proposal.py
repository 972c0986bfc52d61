"""A steward goes from the agent's duplicate flag to the merged candidate, in Chromium, with the model."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from assist.models import AgentProposal, AgentReviewRecord
from assist.proposers import duplicates
from feedback.models import RequirementCandidate, TriageState
from tests.factories import CandidateFactory, HubFactory, MembershipFactory, WidgetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[2] / "assist" / "data" / "paraphrases.jsonl"


def test_from_a_duplicate_flag_to_the_merged_candidate(signed_in, live_server):
    texts = [json.loads(line)["text"] for line in DATA.read_text().splitlines()]
    enter = [t for t in texts if "Enter" in t and "profile" in t.lower()]
    hub = HubFactory()
    steward = MembershipFactory(hub=hub, role="steward").user
    widget = WidgetFactory(hub=hub, name="Save button")
    original = CandidateFactory(source_widget=widget, title=enter[0], description=enter[0])
    copy = CandidateFactory(
        source_widget=widget, title="Keyboard submit is broken on Edit profile", description=enter[-1]
    )
    [flag] = duplicates.propose(copy)

    browser = signed_in(steward)
    browser.get(live_server.url + reverse("assist:inbox", args=[hub.slug]))
    card = browser.find_element(By.ID, f"proposal-{flag.pk}")
    assert "may duplicate" in card.text
    card.find_element(By.CSS_SELECTOR, "summary").click()
    assert "Cosine similarity" in card.find_element(By.CSS_SELECTOR, "dl").text

    card.find_element(By.LINK_TEXT, "Keyboard submit is broken on Edit profile").click()
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.ID, "ai-proposals")))
    card = browser.find_element(By.ID, f"proposal-{flag.pk}")
    card.find_element(By.NAME, "notes").send_keys("Same report")
    card.find_element(By.XPATH, ".//button[contains(., 'mark duplicate')]").click()
    WebDriverWait(browser, 15).until(
        ec.text_to_be_present_in_element((By.ID, f"proposal-{flag.pk}"), "Accepted by")
    )

    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of_id) == ("duplicate", original.pk)
    step = TriageState.objects.get(candidate=copy)
    assert step.changed_by_id == steward.pk and str(flag.pk) in step.notes
    assert AgentReviewRecord.objects.get(proposal=flag).notes == "Same report"
    assert AgentProposal.objects.get(pk=flag.pk).status == "accepted"

    browser.get(live_server.url + reverse("feedback:candidate", args=[hub.slug, copy.pk]))
    browser.find_element(By.PARTIAL_LINK_TEXT, original.title[:30]).click()
    WebDriverWait(browser, 10).until(ec.url_contains(str(original.pk)))
    assert "Duplicates of this one" in browser.page_source
    assert RequirementCandidate.objects.get(pk=original.pk).status == "open"
