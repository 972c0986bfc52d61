"""The in-app inbox (issue 19): what IHF emailed a person, with the unread count in the nav, the emails'
own links, and mark read (one, all, or by opening the link)."""

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import NotificationOutcome
from feedback.notifications import link_token
from tests.factories import CandidateFactory, WidgetFactory


def _assign(people, title):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub), title=title)
    services.candidate_assign(
        hub=people.hub, candidate_id=candidate.pk, actor=people.steward, reviewer_id=people.reviewer.pk
    )
    return NotificationOutcome.objects.get(candidate=candidate, user=people.reviewer)


@pytest.mark.django_db
def test_the_inbox_lists_what_was_emailed_with_its_links_and_counts_the_unread(client, people):
    first, second = _assign(people, "Coupon rejected"), _assign(people, "Slow totals")
    client.force_login(people.reviewer)
    page = client.get(reverse("feedback:inbox"))
    body = page.content.decode()
    assert page.status_code == 200
    assert [n.pk for n in page.context["page"].object_list] == [second.pk, first.pk]
    assert "You were assigned: Coupon rejected" in body
    assert reverse("feedback:notification-open", args=[link_token(first)]) in body
    assert 'id="nav-inbox">Inbox <span class="badge">2<span class="sr-only"> unread</span>' in body
    client.force_login(people.viewer)
    assert 'class="badge"' not in client.get(reverse("feedback:inbox")).content.decode()
    assert not client.get(reverse("feedback:inbox")).context["page"].object_list


@pytest.mark.django_db
def test_mark_read_one_all_or_by_opening_and_only_ones_own(client, people):
    first, second, _third = (_assign(people, t) for t in ("One", "Two", "Three"))
    read = reverse("feedback:inbox-read")
    client.force_login(people.viewer)  # someone else's ids change nothing
    assert client.post(read, {"ids": [first.pk]}).status_code == 302
    assert NotificationOutcome.objects.filter(read_at__isnull=False).count() == 0
    client.force_login(people.reviewer)
    assert client.post(read, {"ids": [first.pk, "x"]}).status_code == 302
    assert set(NotificationOutcome.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == {
        first.pk
    }
    response = client.get(reverse("feedback:notification-open", args=[link_token(second)]))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.read_at is not None and second.user_action == "opened"
    assert client.get(reverse("feedback:inbox")).context["unread"] == 1
    client.post(read, {"all": "1"})
    assert not NotificationOutcome.objects.filter(read_at__isnull=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_the_inbox_query_count_is_flat(client, people, django_assert_max_num_queries, count):
    for n in range(count):
        _assign(people, f"Candidate {n}")
    client.force_login(people.reviewer)
    with django_assert_max_num_queries(6):
        client.get(reverse("feedback:inbox"))
