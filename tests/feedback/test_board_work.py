"""The board's day-to-day work (issue 19): a card's actions without JavaScript, bulk assignment and moves
in one transaction with stale cards reported one by one, and saved views shared within a hub."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from feedback.models import RequirementCandidate, ReviewerAssignment, SavedBoardView, TriageState
from tests.factories import CandidateFactory, WidgetFactory


def _candidates(people, *titles):
    widget = WidgetFactory(hub=people.hub)
    return [CandidateFactory(source_widget=widget, title=t) for t in titles]


@pytest.mark.django_db
def test_a_cards_actions_page_works_without_javascript(client, people):
    [candidate] = _candidates(people, "Coupon field")
    client.force_login(people.steward)
    url = reverse("feedback:candidate-actions", args=[people.hub.slug, candidate.pk])
    page = client.get(url, {"sort": "oldest"})
    body = page.content.decode()
    assert page.status_code == 200 and "<html" in body
    assert 'name="board_query" value="sort=oldest"' in body and 'value="actions"' in body
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
        {
            "target": "accepted",
            "expected_status": "open",
            "return_to": "actions",
            "board_query": "sort=oldest",
        },
    )
    assert response.status_code == 422  # open cannot become accepted: the actions page again, with why
    assert "cannot become accepted" in response.content.decode() and "<html" in response.content.decode()
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
        {
            "target": "under_review",
            "expected_status": "open",
            "return_to": "actions",
            "board_query": "sort=oldest",
        },
    )
    assert response.status_code == 302 and response.url.endswith("/board/?sort=oldest")
    assert RequirementCandidate.objects.get(pk=candidate.pk).status == "under_review"
    client.force_login(people.viewer)
    assert "Only the assigned reviewer and stewards act" in client.get(url).content.decode()


@pytest.mark.django_db
def test_bulk_moves_what_it_can_and_names_each_stale_card(client, people):
    first, second, stale = _candidates(people, "First", "Second", "Stale one")
    RequirementCandidate.objects.filter(pk=stale.pk).update(status="under_review")
    client.force_login(people.steward)
    picked = [f"{first.pk}:open", f"{second.pk}:open", f"{stale.pk}:open"]
    response = client.post(
        reverse("feedback:board-bulk", args=[people.hub.slug]),
        {"picked": picked, "action": "move:under_review", "board_query": "sort=oldest"},
    )
    assert response.status_code == 302 and response.url.endswith("?sort=oldest")
    statuses = dict(RequirementCandidate.objects.values_list("title", "status"))
    assert statuses == {"First": "under_review", "Second": "under_review", "Stale one": "under_review"}
    assert TriageState.objects.filter(candidate=stale).count() == 0  # left alone, not moved again
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts[0] == "2 candidates moved to Under review."
    assert texts[1].startswith("“Stale one”: Someone else changed this candidate first")


@pytest.mark.django_db
def test_bulk_assigns_in_one_go_and_refuses_bad_input_writing_nothing(client, people):
    first, second = _candidates(people, "First", "Second")
    url = reverse("feedback:board-bulk", args=[people.hub.slug])
    client.force_login(people.steward)
    bad = client.post(url, {"picked": [f"{first.pk}:open"], "action": "explode:now"})
    assert bad.status_code == 422 and "Pick what to do with them." in bad.content.decode()
    assert client.post(url, {"action": f"assign:{people.reviewer.pk}"}).status_code == 422
    assert not ReviewerAssignment.objects.exists()
    response = client.post(
        url,
        {"picked": [f"{first.pk}:open", f"{second.pk}:open"], "action": f"assign:{people.reviewer.pk}"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response.content.decode().lstrip().startswith(
        '<section id="board"'
    )
    assert set(ReviewerAssignment.objects.values_list("user_id", flat=True)) == {people.reviewer.pk}
    assert ReviewerAssignment.objects.count() == 2
    client.force_login(people.reviewer)
    assert client.post(url, {"picked": [f"{first.pk}:open"], "action": "move:deferred"}).status_code == 403


@pytest.mark.django_db
def test_saved_views_are_named_found_again_and_shared_within_the_hub(client, people):
    board = reverse("feedback:board", args=[people.hub.slug])
    save = reverse("feedback:board-view-save", args=[people.hub.slug])
    client.force_login(people.reviewer)
    response = client.post(save, {"name": "Mine", "board_query": "severity=high&page=3"})
    assert response.status_code == 302 and response.url == f"{board}?severity=high"
    response = client.post(save, {"name": "Team", "shared": "1", "board_query": "assignee=none"})
    assert client.post(save, {"name": "Mine", "board_query": ""}).status_code == 422  # the name is taken
    assert client.post(save, {"name": "  ", "board_query": ""}).status_code == 422
    assert SavedBoardView.objects.count() == 2
    body = client.get(board).content.decode()
    assert (
        f'href="{board}?severity=high">Mine</a>' in body and f'href="{board}?assignee=none">Team</a>' in body
    )
    client.force_login(people.viewer)
    body = client.get(board).content.decode()
    assert ">Team</a>" in body and ">Mine</a>" not in body and "shared by" in body
    team = SavedBoardView.objects.get(name="Team")
    delete = reverse("feedback:board-view-delete", args=[people.hub.slug, team.pk])
    assert client.post(delete).status_code == 403
    client.force_login(people.outsider)
    assert client.post(delete).status_code == 404
    client.force_login(people.reviewer)
    assert client.post(delete).status_code == 302
    assert list(SavedBoardView.objects.values_list("name", flat=True)) == ["Mine"]
