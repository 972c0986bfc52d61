"""The triage board and candidate page: filters, actions for each role, another hub's member, bad input."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.forms_triage import REVIEWER_REQUIRED, TARGET_REQUIRED, UNKNOWN_CANDIDATE
from feedback.models import RequirementCandidate, ReviewerAssignment, TriageState
from feedback.services import NOT_ASSIGNABLE
from tests.factories import AnnotationFactory, CandidateFactory, WidgetFactory


def _board(people):
    return reverse("feedback:board", args=[people.hub.slug])


def _candidate(people, **kwargs):
    widget = kwargs.pop("widget", None) or WidgetFactory(hub=people.hub)
    return CandidateFactory(source_widget=widget, **kwargs)


def _cards(response):
    return {c.title: c for column in response.context["columns"] for c in column["cards"]}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["steward", "reviewer", "viewer", "admin"])
def test_members_see_the_board_in_columns_with_counts(client, people, role):
    _candidate(people, title="A")
    _candidate(people, title="B", status="under_review")
    _candidate(people, title="Elsewhere", widget=WidgetFactory(hub=people.other_hub))
    client.force_login(getattr(people, role))
    response = client.get(_board(people))
    assert response.status_code == 200
    totals = {c["status"]: c["total"] for c in response.context["columns"]}
    assert totals == {
        "open": 1,
        "under_review": 1,
        "accepted": 0,
        "rejected": 0,
        "deferred": 0,
        "duplicate": 0,
    }
    assert set(_cards(response)) == {"A", "B"}


@pytest.mark.django_db
def test_another_hubs_member_gets_404_everywhere(client, people):
    candidate = _candidate(people)
    client.force_login(people.outsider)
    assert client.get(_board(people)).status_code == 404
    assert client.get(reverse("feedback:candidate", args=[people.hub.slug, candidate.pk])).status_code == 404
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]), {"target": "under_review"}
    )
    assert response.status_code == 404
    response = client.post(
        reverse("feedback:assign", args=[people.hub.slug, candidate.pk]), {"reviewer": people.outsider.pk}
    )
    assert response.status_code == 404
    assert client.get(reverse("feedback:candidate-search", args=[people.hub.slug])).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == "open" and not TriageState.objects.exists()


@pytest.mark.django_db
def test_a_candidate_of_another_hub_is_404_through_this_hubs_urls(client, people):
    foreign = _candidate(people, widget=WidgetFactory(hub=people.other_hub))
    client.force_login(people.steward)
    assert client.get(reverse("feedback:candidate", args=[people.hub.slug, foreign.pk])).status_code == 404
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, foreign.pk]), {"target": "under_review"}
    )
    assert response.status_code == 404
    assert RequirementCandidate.objects.get(pk=foreign.pk).status == "open"


@pytest.mark.django_db
def test_the_board_filters_by_everything_in_the_url(client, people):
    button = WidgetFactory(hub=people.hub, widget_type="button")
    form = WidgetFactory(hub=people.hub, widget_type="form")
    _candidate(
        people,
        title="Critical bug",
        widget=button,
        category="bug",
        source_annotation=AnnotationFactory(widget=button, severity="critical"),
    )
    old = _candidate(people, title="Old friction", widget=form, description="slow checkout")
    RequirementCandidate.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    assigned = _candidate(people, title="Assigned one", widget=form)
    ReviewerAssignment.objects.create(candidate=assigned, user=people.reviewer)
    client.force_login(people.steward)

    def titles(**query):
        response = client.get(_board(people), query)
        assert response.status_code == 200, response.context["filter_form"].errors
        return set(_cards(response))

    assert titles(severity="high") == {"Critical bug"}
    assert titles(category="bug") == {"Critical bug"}
    assert titles(widget_type="form") == {"Old friction", "Assigned one"}
    assert titles(widget=str(button.pk)) == {"Critical bug"}
    assert titles(assignee=str(people.reviewer.pk)) == {"Assigned one"}
    assert titles(assignee="none") == {"Critical bug", "Old friction"}
    assert titles(age="30") == {"Old friction"}
    assert titles(q="checkout") == {"Old friction"}
    response = client.get(_board(people), {"view": "list", "sort": "oldest"})
    assert response.context["page"].object_list[0].title == "Old friction"
    response = client.get(_board(people), {"sort": "severity"})
    assert response.context["columns"][0]["cards"][0].title == "Critical bug"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"age": "13"}, "age"),
        ({"widget": "nope"}, "widget"),
        ({"assignee": "bob"}, "assignee"),
        ({"severity": "huge"}, "severity"),
    ],
)
def test_bad_filters_get_400_with_the_field_named(client, people, query, field):
    client.force_login(people.steward)
    response = client.get(_board(people), query)
    assert response.status_code == 400
    assert field in response.context["filter_form"].errors
    assert f"{field}:" in response.content.decode()


@pytest.mark.django_db
def test_the_board_answers_htmx_with_the_board_fragment(client, people):
    _candidate(people, title="A")
    client.force_login(people.viewer)
    response = client.get(_board(people), headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<section id="board"')


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 30])
def test_the_board_query_count_is_flat(client, people, django_assert_max_num_queries, size):
    widget = WidgetFactory(hub=people.hub)
    for n in range(size):
        candidate = _candidate(
            people,
            widget=widget,
            status=["open", "under_review", "accepted"][n % 3],
            source_annotation=AnnotationFactory(widget=widget),
        )
        ReviewerAssignment.objects.create(candidate=candidate, user=people.reviewer)
    client.force_login(people.steward)
    # 9, the saved views, the nav's unread count, the cards' AI duplicate flags (read once) and their
    # widgets' names (a query of their own, issue 21).
    with django_assert_max_num_queries(13):
        assert client.get(_board(people)).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(_board(people), {"view": "list"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed"), [("steward", True), ("admin", True), ("reviewer", False), ("viewer", False)]
)
def test_who_may_move_an_unassigned_candidate(client, people, role, allowed):
    candidate = _candidate(people)
    client.force_login(getattr(people, role))
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
        {"target": "under_review", "expected_status": "open", "notes": "looking"},
    )
    assert response.status_code == (302 if allowed else 403)
    candidate.refresh_from_db()
    assert candidate.status == ("under_review" if allowed else "open")
    assert TriageState.objects.filter(candidate=candidate).count() == (1 if allowed else 0)


@pytest.mark.django_db
def test_a_reviewer_moves_candidates_assigned_to_them(client, people):
    mine, theirs = _candidate(people), _candidate(people)
    ReviewerAssignment.objects.create(candidate=mine, user=people.reviewer)
    ReviewerAssignment.objects.create(candidate=theirs, user=people.steward)
    client.force_login(people.reviewer)
    url = lambda c: reverse("feedback:transition", args=[people.hub.slug, c.pk])  # noqa: E731
    assert client.post(url(mine), {"target": "under_review"}).status_code == 302
    assert client.post(url(theirs), {"target": "under_review"}).status_code == 403
    assert RequirementCandidate.objects.get(pk=mine.pk).status == "under_review"
    assert RequirementCandidate.objects.get(pk=theirs.pk).status == "open"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("steward", 302), ("admin", 302), ("reviewer", 403), ("viewer", 403)]
)
def test_only_stewards_assign(client, people, role, status):
    candidate = _candidate(people)
    client.force_login(getattr(people, role))
    response = client.post(
        reverse("feedback:assign", args=[people.hub.slug, candidate.pk]),
        {"reviewer": str(people.reviewer.pk)},
    )
    assert response.status_code == status
    assert ReviewerAssignment.objects.filter(candidate=candidate).exists() is (status == 302)


@pytest.mark.django_db
def test_htmx_actions_return_only_the_columns_they_changed(client, people):
    candidate = _candidate(people, title="Move me")
    _candidate(people, title="Stays")
    client.force_login(people.steward)
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
        {"target": "under_review", "expected_status": "open", "board_query": "category=friction"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<section id="board"' not in body
    columns = re.findall(r'<section class="column" id="column-(\w+)"[^>]*hx-swap-oob="true"', body)
    assert sorted(columns) == ["open", "under_review"]
    assert '<span class="count" id="count-under_review">1</span>' in body
    assert '<span class="count" id="count-open">1</span>' in body
    assert (
        '<div hx-swap-oob="beforeend:#toasts"><p class="toast success">“Move me” moved to Under review.</p>'
        in body
    )
    response = client.post(
        reverse("feedback:assign", args=[people.hub.slug, candidate.pk]),
        {"reviewer": str(people.reviewer.pk), "board_query": ""},
        headers={"HX-Request": "true"},
    )
    assert re.findall(r'id="column-(\w+)"[^>]*hx-swap-oob', response.content.decode()) == ["under_review"]


@pytest.mark.django_db
def test_a_refused_htmx_move_puts_the_card_back_with_the_reason(client, people):
    candidate = _candidate(people, title="Raced")
    client.force_login(people.steward)
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
        {"target": "accepted", "expected_status": "under_review", "return_to": "board"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    # The card's own column, and the two a drag would have touched, are drawn again.
    redrawn = sorted(re.findall(r'id="column-(\w+)"[^>]*hx-swap-oob', body))
    assert redrawn == ["accepted", "open", "under_review"]
    assert f'id="candidate-{candidate.pk}"' in body
    assert 'class="toast error" role="alert">“Raced”: Someone else changed this candidate first' in body
    candidate.refresh_from_db()
    assert candidate.status == "open" and not TriageState.objects.exists()


@pytest.mark.django_db
def test_plain_actions_redirect_back_to_the_filtered_board(client, people):
    candidate = _candidate(people)
    client.force_login(people.steward)
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
        {"target": "under_review", "board_query": "sort=oldest&view=list"},
    )
    assert response.status_code == 302
    assert response.url == _board(people) + "?sort=oldest&view=list"


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, TARGET_REQUIRED),
        ({"target": "shipped"}, "Select a valid choice"),
        (
            {"target": "accepted"},
            "A candidate that is open cannot become accepted. Allowed: under review, duplicate.",
        ),
        ({"target": "duplicate"}, "Pick the candidate this one duplicates."),
        ({"target": "duplicate", "duplicate_of": "not-a-uuid"}, UNKNOWN_CANDIDATE),
        (
            {"target": "under_review", "expected_status": "deferred"},
            "Someone else changed this candidate first",
        ),
    ],
)
def test_bad_transitions_answer_422_with_the_reason_and_change_nothing(client, people, data, message, htmx):
    candidate = _candidate(people)
    client.force_login(people.steward)
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
        data,
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == "open" and not TriageState.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_of_another_hubs_candidate_is_refused(client, people):
    candidate = _candidate(people)
    foreign = _candidate(people, widget=WidgetFactory(hub=people.other_hub))
    client.force_login(people.steward)
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
        {"target": "duplicate", "duplicate_of": str(foreign.pk)},
    )
    assert response.status_code == 422
    assert UNKNOWN_CANDIDATE in response.content.decode()
    assert RequirementCandidate.objects.get(pk=candidate.pk).duplicate_of is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"), [({}, REVIEWER_REQUIRED), ({"reviewer": "x"}, REVIEWER_REQUIRED)]
)
def test_bad_assignments_answer_422(client, people, data, message):
    candidate = _candidate(people)
    client.force_login(people.steward)
    response = client.post(reverse("feedback:assign", args=[people.hub.slug, candidate.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ReviewerAssignment.objects.exists()


@pytest.mark.django_db
def test_assigning_a_viewer_is_refused_on_the_candidate_page(client, people):
    candidate = _candidate(people)
    client.force_login(people.steward)
    response = client.post(
        reverse("feedback:assign", args=[people.hub.slug, candidate.pk]),
        {"reviewer": str(people.viewer.pk), "return_to": "candidate"},
    )
    assert response.status_code == 422
    assert NOT_ASSIGNABLE in response.content.decode()
    assert response.templates[0].name == "feedback/candidate_detail.html"
    assert not ReviewerAssignment.objects.exists()


@pytest.mark.django_db
def test_mark_duplicate_with_the_search_box(client, people):
    original = _candidate(people, title="Coupon field rejects lowercase codes")
    candidate = _candidate(people, title="Coupon codes case")
    client.force_login(people.steward)
    search = client.get(
        reverse("feedback:candidate-search", args=[people.hub.slug]),
        {"q": "lowercase", "exclude": str(candidate.pk)},
    )
    assert [r.pk for r in search.context["results"]] == [original.pk]
    page = client.get(
        reverse("feedback:candidate", args=[people.hub.slug, candidate.pk]), {"dup_q": "lowercase"}
    )
    assert [r.pk for r in page.context["dup_results"]] == [original.pk]
    response = client.post(
        reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
        {"target": "duplicate", "duplicate_of": str(original.pk), "return_to": "candidate"},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.status, candidate.duplicate_of_id) == ("duplicate", original.pk)
    assert TriageState.objects.get(candidate=candidate).notes == f"Duplicate of “{original.title}”."


@pytest.mark.django_db
def test_the_candidate_page_shows_the_timeline(client, people):
    widget = WidgetFactory(hub=people.hub)
    annotation = AnnotationFactory(widget=widget, body="Coupon rejected", severity="high")
    candidate = _candidate(people, widget=widget, source_annotation=annotation)
    TriageState.objects.create(
        candidate=candidate, status="open", notes="Escalated.", changed_by=people.steward
    )
    client.force_login(people.viewer)
    response = client.get(reverse("feedback:candidate", args=[people.hub.slug, candidate.pk]))
    body = response.content.decode()
    assert [kind for kind, _when, _entry in response.context["timeline"]] == ["annotation", "triage"]
    assert "Coupon rejected" in body and "Escalated." in body
    assert reverse("feedback:widget", args=[people.hub.slug, widget.pk]) in body
    assert "Viewers follow triage" in body


@pytest.mark.django_db
def test_the_search_boxes_search_as_they_type(client, people):
    """The board card's and the candidate page's boxes are named dup_q, and htmx sends the box as it is."""
    original = _candidate(people, title="Coupon field rejects lowercase codes")
    _candidate(people, title="Slow checkout")
    candidate = _candidate(people, title="Coupon codes case")
    client.force_login(people.steward)
    search = client.get(
        reverse("feedback:candidate-search", args=[people.hub.slug]),
        {"dup_q": "lowercase", "exclude": str(candidate.pk)},
        headers={"HX-Request": "true"},
    )
    assert search.status_code == 200
    assert [r.pk for r in search.context["results"]] == [original.pk]
    assert RequirementCandidate.objects.filter(status="open").count() == 3
