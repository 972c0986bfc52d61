"""Reads of the triage board and the candidate page: a fixed number of queries whatever the row count."""

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.expressions import OrderBy
from django.db.models.functions import RowNumber
from django.utils import timezone

from feedback.models import (
    Annotation,
    CandidateStatus,
    RequirementCandidate,
    ReviewerAssignment,
    Severity,
    TriageState,
)
from hubs.models import Hub, Widget
from ihf.models import User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A column shows its first cards; "Show more" fetches the next MORE_CARDS (htmx). A column of a busy hub can
# hold thousands: rendering each card costs ~0.5 ms, and 25 per column put the board of a hub with 5,000 open
# candidates at 240 ms and 235 KB (issue 21).
BOARD_COLUMN_LIMIT = 10
MORE_CARDS = 25

BOARD_FIELDS = (
    "id",
    "title",
    "status",
    "category",
    "created_at",
    "source_widget_id",
    "source_annotation_id",
    "source_thread_id",
)

# The id last: "Show more" pages by offset, which needs an order without ties.
SORTS = {
    "newest": ["-created_at", "-id"],
    "oldest": ["created_at", "id"],
    "severity": ["-worst_rank", "created_at", "id"],
}


class WorstRank(TypedDict):
    worst_rank: int


# Candidates annotated by with_worst_severity().
type RankedCandidates = QuerySet[WithAnnotations[RequirementCandidate, WorstRank]]


class BoardColumn(TypedDict):
    status: str
    label: str
    cards: list[RequirementCandidate]
    total: int


def with_worst_severity(queryset: QuerySet[RequirementCandidate]) -> RankedCandidates:
    """Annotate `worst_rank` (0 none … 4 critical): the worst open annotation behind each candidate, its
    source annotation or any annotation in its source thread. The database keeps it on the candidate
    (worst_severity_rank, sql/candidate_worst_severity.sql): computed per request, it was a subquery for
    each of a busy hub's thousands of candidates whenever the board was sorted or filtered by severity."""
    return queryset.annotate(worst_rank=F("worst_severity_rank"))


def board_candidates(hub: Hub, filters: dict[str, Any], user: User) -> RankedCandidates:
    # for_hub() is not annotated (feedback/models/candidates.py).
    candidates: QuerySet[RequirementCandidate] = RequirementCandidate.objects.for_hub(hub)  # type: ignore[no-untyped-call]
    # The reviewer comes in a second query for the cards shown, not a join: with a text search and a
    # severity filter the planner expects one candidate, and joined reviewer_assignments by a full scan for
    # each of the ~500 it found (4.3M rows read, 441 ms at 20k candidates; issue 21).
    reviewers = Prefetch("assignment", queryset=ReviewerAssignment.objects.select_related("user"))
    # Only what a card or a list row shows: the window over a busy hub's thousands of candidates sorts
    # these rows, and the descriptions made them four times wider. The widgets' names come in a query of
    # their own for the cards shown: joined, every candidate of the hub was joined to every widget before
    # the columns were cut to their first cards (the board of a hub with 6,000 candidates: 18 → 4 ms).
    widgets = Prefetch("source_widget", queryset=Widget.objects.only("id", "name"))
    queryset = with_worst_severity(candidates.only(*BOARD_FIELDS).prefetch_related(reviewers, widgets))
    if filters.get("q"):
        queryset = queryset.filter(Q(title__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    if filters.get("severity"):
        queryset = queryset.filter(worst_rank__gte=Severity.rank(filters["severity"]))
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    if filters.get("widget_type"):
        queryset = queryset.filter(source_widget__widget_type=filters["widget_type"])
    if filters.get("widget"):
        queryset = queryset.filter(source_widget_id=filters["widget"])
    if filters.get("widget_name"):
        queryset = queryset.filter(source_widget__name__icontains=filters["widget_name"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    # EXISTS, not a join on the assignment: a LEFT JOIN … IS NULL is planned as a filter over every hub's
    # candidates (estimated at one row), an anti-join starts from this hub's widgets.
    assignee = filters.get("assignee")
    assignments = ReviewerAssignment.objects.filter(candidate=OuterRef("pk"))
    if assignee == "none":
        queryset = queryset.filter(~Exists(assignments))
    elif assignee == "me":
        queryset = queryset.filter(Exists(assignments.filter(user=user)))
    elif assignee:
        queryset = queryset.filter(Exists(assignments.filter(user_id=assignee)))
    if filters.get("age"):
        queryset = queryset.filter(created_at__lte=timezone.now() - timedelta(days=filters["age"]))
    return queryset.order_by(*SORTS[filters.get("sort") or "newest"])


def board_columns(
    queryset: QuerySet[RequirementCandidate],
    sort: str | None,
    statuses: set[str] | None = None,
    *,
    filtered: bool = False,
) -> list[BoardColumn]:
    """The first BOARD_COLUMN_LIMIT cards of each status column (or of `statuses` only) and each column's
    total. Filtered, in one query with the totals as a window count: a second query would search every
    candidate again (21 ms at 6,000). Otherwise in two: PostgreSQL reads each column in order from an index
    and stops at its first cards, which a window count over the whole column would prevent, and the totals
    come from the index alone (1 ms)."""
    order = SORTS[sort or "newest"]
    if statuses is not None:
        queryset = queryset.filter(status__in=statuses)
    # Any: the annotations depend on `filtered`, which the stubs cannot follow.
    ranked: QuerySet[Any] = queryset.annotate(
        position=Window(
            RowNumber(), partition_by=[F("status")], order_by=[_order_expression(o) for o in order]
        )
    )
    if filtered:
        ranked = ranked.annotate(column_total=Window(Count("pk"), partition_by=[F("status")]))
    ranked = ranked.filter(position__lte=BOARD_COLUMN_LIMIT)
    cards: dict[str, list[RequirementCandidate]] = {status: [] for status in CandidateStatus.values}
    totals: dict[str, int] = {}
    for candidate in ranked:
        cards[candidate.status].append(candidate)
        if filtered:
            totals[candidate.status] = candidate.column_total
    if not filtered:
        totals = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return [
        {"status": status, "label": label, "cards": cards[status], "total": totals.get(status, 0)}
        for status, label in CandidateStatus.choices
        if statuses is None or status in statuses
    ]


def column_cards(
    queryset: QuerySet[RequirementCandidate], status: str, shown: int
) -> tuple[list[RequirementCandidate], bool]:
    """The next MORE_CARDS cards of one column after its `shown` first ones, and whether more follow."""
    cards = list(queryset.filter(status=status)[shown : shown + MORE_CARDS + 1])
    return cards[:MORE_CARDS], len(cards) > MORE_CARDS


def _order_expression(field: str) -> OrderBy:
    return F(field[1:]).desc() if field.startswith("-") else F(field).asc()


def candidate_timeline(
    candidate: RequirementCandidate,
) -> list[tuple[str, datetime, Annotation | TriageState]]:
    """Annotations behind the candidate and its triage history, merged oldest first: two queries."""
    annotations = list(
        Annotation.objects.filter(
            Q(pk=candidate.source_annotation_id) | Q(thread_id=candidate.source_thread_id)
            if candidate.source_thread_id
            else Q(pk=candidate.source_annotation_id)
        ).order_by("created_at")
    )
    history = list(
        TriageState.objects.filter(candidate=candidate)
        .select_related("changed_by", "assigned_to")
        .order_by("changed_at")
    )
    entries: list[tuple[str, datetime, Annotation | TriageState]] = [
        ("annotation", a.created_at, a) for a in annotations
    ] + [("triage", h.changed_at, h) for h in history]
    return sorted(entries, key=lambda entry: entry[1])


def duplicate_search(
    hub: Hub, query: str, exclude: uuid.UUID | None = None, limit: int = 10
) -> list[RequirementCandidate]:
    # for_hub() is not annotated (feedback/models/candidates.py).
    candidates: QuerySet[RequirementCandidate] = RequirementCandidate.objects.for_hub(hub)  # type: ignore[no-untyped-call]
    queryset = candidates.exclude(status=CandidateStatus.DUPLICATE)
    if exclude:
        queryset = queryset.exclude(pk=exclude)
    if query:
        queryset = queryset.filter(Q(title__icontains=query) | Q(description__icontains=query))
    return list(queryset.select_related("source_widget").order_by("-created_at")[:limit])
