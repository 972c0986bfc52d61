"""A busy hub's board (issue 21): each column shows its first cards and fetches the next ones on demand, the
list view filters by status for readers without JavaScript, and a hub with many widgets filters by a part of
the widget's name instead of listing every widget."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import RequirementCandidate
from feedback.selectors import BOARD_COLUMN_LIMIT, MORE_CARDS
from feedback.views.board import WIDGET_CHOICES_LIMIT
from hubs.models import Widget
from tests.factories import CandidateFactory, WidgetFactory

HTMX = {"HX-Request": "true"}


def _board(people):
    return reverse("feedback:board", args=[people.hub.slug])


def _open_candidates(people, n, **kwargs):
    widget = kwargs.pop("widget", None) or WidgetFactory(hub=people.hub)
    now = timezone.now()
    made = [CandidateFactory(source_widget=widget, title=f"Card {i:03d}", **kwargs) for i in range(n)]
    for i, candidate in enumerate(made):
        # Distinct ages, newest last made: the board's "newest first" is then the reverse of `made`.
        RequirementCandidate.objects.filter(pk=candidate.pk).update(created_at=now - timedelta(minutes=n - i))
    return [c.pk for c in reversed(made)]


def _ids(html):
    return re.findall(r'id="candidate-([0-9a-f-]{36})"', html)


@pytest.mark.django_db
def test_a_column_shows_its_first_cards_and_the_rest_on_demand(client, people):
    newest_first = _open_candidates(people, BOARD_COLUMN_LIMIT + MORE_CARDS + 3)
    client.force_login(people.viewer)
    page = client.get(_board(people))
    open_column = next(c for c in page.context["columns"] if c["status"] == "open")
    assert [c.pk for c in open_column["cards"]] == newest_first[:BOARD_COLUMN_LIMIT]
    assert open_column["total"] == len(newest_first)
    html = page.content.decode()
    assert f'hx-get="?more=open&amp;shown={BOARD_COLUMN_LIMIT}"' in html
    assert 'href="?view=list&amp;status=open"' in html, "without JavaScript: the column in the list view"

    more = client.get(_board(people), {"more": "open", "shown": BOARD_COLUMN_LIMIT}, headers=HTMX)
    assert more.status_code == 200
    body = more.content.decode()
    assert _ids(body) == [
        str(pk) for pk in newest_first[BOARD_COLUMN_LIMIT : BOARD_COLUMN_LIMIT + MORE_CARDS]
    ]
    shown = BOARD_COLUMN_LIMIT + MORE_CARDS
    assert 'id="more-open" hx-swap-oob="true"' in body
    assert f"more=open&amp;shown={shown}" in body
    assert 'Show more<span class="sr-only"> of Open</span>' in body

    last = client.get(_board(people), {"more": "open", "shown": shown}, headers=HTMX).content.decode()
    assert _ids(last) == [str(pk) for pk in newest_first[shown:]]
    assert f"All {len(newest_first)} shown." in last
    assert "more=open" not in last


@pytest.mark.django_db
def test_more_cards_keep_the_boards_filters_and_sort(client, people):
    widget = WidgetFactory(hub=people.hub)
    _open_candidates(people, 8, widget=widget)
    matching = _open_candidates(
        people, BOARD_COLUMN_LIMIT + 4, widget=WidgetFactory(hub=people.hub, name="Pay")
    )
    client.force_login(people.steward)
    query = {"widget_name": "pay", "sort": "oldest"}
    page = client.get(_board(people), query).content.decode()
    assert "widget_name=pay&amp;sort=oldest&amp;more=open&amp;shown=" in page
    more = client.get(
        _board(people), {**query, "more": "open", "shown": BOARD_COLUMN_LIMIT}, headers=HTMX
    ).content.decode()
    oldest_first = list(reversed(matching))
    assert _ids(more) == [str(pk) for pk in oldest_first[BOARD_COLUMN_LIMIT:]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"more": "sideways", "shown": "10"}, "more"),
        ({"more": "open", "shown": "-1"}, "shown"),
        ({"more": "open", "shown": "ten"}, "shown"),
        ({"more": "open", "shown": "²"}, "shown"),
        ({"more": "open", "shown": "1000001"}, "shown"),
        ({"more": "open"}, "shown"),
        ({"more": "open", "shown": "10", "severity": "apocalyptic"}, "severity"),
    ],
)
def test_bad_more_requests_get_400_naming_the_parameter(client, people, query, field):
    _open_candidates(people, 3)
    client.force_login(people.steward)
    response = client.get(_board(people), query, headers=HTMX)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{field}:")


@pytest.mark.django_db
def test_a_plain_request_with_more_gets_the_whole_board(client, people):
    _open_candidates(people, 3)
    client.force_login(people.viewer)
    response = client.get(_board(people), {"more": "open", "shown": "1"})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "more=" not in response.context["board_query"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["steward", "reviewer", "viewer", "admin"])
def test_members_get_more_cards_and_widget_names_another_hubs_member_gets_404(client, people, role):
    _open_candidates(people, BOARD_COLUMN_LIMIT + 2)
    more = {"more": "open", "shown": BOARD_COLUMN_LIMIT}
    names = reverse("feedback:board-widget-names", args=[people.hub.slug])
    client.force_login(getattr(people, role))
    assert len(_ids(client.get(_board(people), more, headers=HTMX).content.decode())) == 2
    assert client.get(names).status_code == 200
    client.force_login(people.outsider)
    assert client.get(_board(people), more, headers=HTMX).status_code == 404
    assert client.get(names).status_code == 404


@pytest.mark.django_db
def test_the_list_view_filters_by_status(client, people):
    widget = WidgetFactory(hub=people.hub)
    CandidateFactory(source_widget=widget, title="Still open")
    CandidateFactory(source_widget=widget, title="Being looked at", status="under_review")
    client.force_login(people.viewer)
    page = client.get(_board(people), {"view": "list", "status": "under_review"}).context["page"]
    assert [c.title for c in page.object_list] == ["Being looked at"]
    response = client.get(_board(people), {"status": "finished"})
    assert response.status_code == 400
    assert "status" in response.context["filter_form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("size", [BOARD_COLUMN_LIMIT + 2, BOARD_COLUMN_LIMIT + MORE_CARDS + 5])
def test_more_cards_keep_a_flat_query_count(client, people, django_assert_max_num_queries, size):
    _open_candidates(people, size)
    client.force_login(people.steward)
    # Session, user, hub, membership; the cards; their reviewers; their AI duplicate flags.
    with django_assert_max_num_queries(7):
        response = client.get(_board(people), {"more": "open", "shown": BOARD_COLUMN_LIMIT}, headers=HTMX)
    assert len(_ids(response.content.decode())) == min(MORE_CARDS, size - BOARD_COLUMN_LIMIT)


@pytest.mark.django_db
def test_a_hub_with_few_widgets_lists_them(client, people):
    WidgetFactory(hub=people.hub, name="Checkout button")
    client.force_login(people.viewer)
    html = client.get(_board(people)).content.decode()
    assert '<select name="widget">' in html and "Checkout button</option>" in html
    assert 'name="widget_name"' not in html


@pytest.mark.django_db
def test_a_hub_with_many_widgets_filters_by_a_part_of_the_name(client, people):
    Widget.objects.bulk_create(
        [
            Widget(hub=people.hub, name=f"Widget {n:04d}", widget_type="button", capability_ref="c")
            for n in range(WIDGET_CHOICES_LIMIT + 1)
        ]
    )
    pay = WidgetFactory(hub=people.hub, name="Pay now button")
    CandidateFactory(source_widget=pay, title="Pay twice")
    CandidateFactory(source_widget=Widget.objects.get(name="Widget 0001"), title="Other")
    client.force_login(people.steward)
    response = client.get(_board(people))
    html = response.content.decode()
    assert 'name="widget_name"' in html and '<select name="widget">' not in html
    assert "Widget 0001</option>" not in html, "a hub's thousand widgets are not listed on every page"

    filtered = client.get(_board(people), {"widget_name": "pay NOW"})
    titles = {c.title for column in filtered.context["columns"] for c in column["cards"]}
    assert titles == {"Pay twice"}

    # A link that chose one widget (its id) keeps it named, with "Any widget" to drop it.
    chosen = client.get(_board(people), {"widget": str(pay.pk)}).content.decode()
    assert f'<option value="{pay.pk}" selected>Pay now button</option>' in chosen

    names = reverse("feedback:board-widget-names", args=[people.hub.slug])
    suggested = client.get(names, {"widget_name": "pay"}, headers=HTMX).content.decode()
    assert suggested == '<option value="Pay now button"></option>'
    first = client.get(names, headers=HTMX).content.decode()
    assert first.count("<option") == 20
    too_long = client.get(names, {"widget_name": "x" * 201})
    assert too_long.status_code == 400
    assert too_long.content.decode().startswith("widget_name:")
    assert client.get(names, {"widget_name": "pay\x00"}).status_code == 400
