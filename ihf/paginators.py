"""Paginators that never count a whole history table: COUNT(*) reads every row it counts, and on a table of
millions (issue 21: 3M events, 300k on one widget) that is most of a page's time."""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


def bounded_count(queryset, limit: int) -> int:
    """The queryset's row count, or limit + 1 if it has more: reads at most limit + 1 rows."""
    return queryset.order_by()[: limit + 1].count()


class CappedPaginator(Paginator):
    """Pages through the first `cap` rows only; `capped` says there are more (the page says "500+")."""

    def __init__(self, object_list, per_page, cap, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _bounded(self) -> int:
        return bounded_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:  # type: ignore[override]  # a cached_property in Paginator too
        return min(self._bounded, self.cap)

    @property
    def capped(self) -> bool:
        return self._bounded > self.cap


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to EXACT_LIMIT rows, past that takes the planner's estimate (`estimated` says so)."""

    EXACT_LIMIT = 10_000
    estimated = False

    @cached_property
    def count(self) -> int:  # type: ignore[override]  # a cached_property in Paginator too
        queryset = self.object_list.order_by()
        bounded = bounded_count(queryset, self.EXACT_LIMIT)
        if bounded <= self.EXACT_LIMIT:
            return bounded
        self.estimated = True
        sql, params = queryset.query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return max(bounded, int(plan[0]["Plan"]["Plan Rows"]))
