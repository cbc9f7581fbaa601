from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact COUNT(*) is cheap enough; above it an unfiltered list on PostgreSQL
# takes the planner's estimate (pg_class.reltuples, kept by ANALYZE/autovacuum) instead of counting
# the whole table on every page view.
ESTIMATE_ABOVE = 100_000
# From this offset a page is read in two steps (a "deferred join"): the primary keys of its rows
# first, which the database reads from an index alone, then those rows with their joins. A plain
# OFFSET would join every skipped row (page 20,000 of the receipts: 400,000 joins, seconds).
DEFERRED_JOIN_FROM = 1000


class EstimatedCountPaginator(Paginator):
    """A Paginator whose count, for an unfiltered queryset on PostgreSQL with a large table, is the
    planner's row estimate (``estimated`` is then True); filtered lists and SQLite count exactly."""

    estimated = False

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        query = getattr(qs, "query", None)
        if query is not None and not query.where and not query.distinct and not query.combinator:
            connection = connections[qs.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [qs.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                if row and row[0] > ESTIMATE_ABOVE:
                    self.estimated = True
                    return int(row[0])
        return super().count

    def page(self, number) -> Page:
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEFERRED_JOIN_FROM:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        pks = list(qs.values_list("pk", flat=True)[bottom:top])
        return self._get_page(list(qs.filter(pk__in=pks)), number, self)

# Row-by-row results of an import (errors, warnings): a page holds this many, so a refused 100,000-row file
# renders a page of 1,000 rows, not 13 MB; the downloadable error list keeps every row.
RESULT_ROWS_PER_PAGE = 1000


def paginate_rows(request, rows: list, name: str = "page") -> tuple[list, Page]:
    """One page of a result list (?<name>=), as (the rows of the page, the page)."""
    page = Paginator(rows, RESULT_ROWS_PER_PAGE).get_page(request.GET.get(name))
    return list(page.object_list), page


def paginate(request, queryset, per_page: int | None = None) -> Page:
    """One page of a list, from ?page=; out-of-range pages show the last page. An unfiltered list of
    a large PostgreSQL table is counted by estimate (EstimatedCountPaginator)."""
    return EstimatedCountPaginator(queryset, per_page or settings.PAGE_SIZE).get_page(request.GET.get("page"))
