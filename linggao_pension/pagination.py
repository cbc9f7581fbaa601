import json

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

# Below this many rows an exact COUNT(*) is cheap enough; above it an unfiltered list on PostgreSQL
# takes the planner's estimate (pg_class.reltuples, kept by ANALYZE/autovacuum) instead of counting
# the whole table on every page view.
ESTIMATE_ABOVE = 100_000
# From this offset a page is read in two steps (a "deferred join"): the primary keys of its rows
# first, which the database reads from an index alone, then those rows with their joins. A plain
# OFFSET would join every skipped row (page 20,000 of the receipts: 400,000 joins, seconds).
DEFERRED_JOIN_FROM = 1000
# A filtered list counts at most this many rows (plus one): a filter that matches tens of thousands
# (临城镇 and 姓名 王: 7,300 of 56,000) would otherwise count them all on every page view (about
# 30 ms in the database). Past the cap the page says "超过 N 条" with the planner's estimate.
COUNT_CAP = 1000


class EstimatedCountPaginator(Paginator):
    """A Paginator whose count, for an unfiltered queryset on PostgreSQL with a large table, is the
    planner's row estimate (``estimated`` is then True). A filtered queryset is counted up to
    COUNT_CAP rows; past that ``capped`` is True and the count is the planner's estimate of the
    filtered query on PostgreSQL (at least COUNT_CAP + 1), an exact count elsewhere (SQLite)."""

    estimated = False
    capped = False
    cap = COUNT_CAP

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
        if query is None or not query.where or query.combinator:
            return super().count
        self.cap = COUNT_CAP
        counted = qs.order_by()[: self.cap + 1].count()
        if counted <= self.cap:
            return counted
        self.capped = True
        if connections[qs.db].vendor != "postgresql":
            return super().count
        self.estimated = True
        return max(self.cap + 1, planner_rows(qs))

    def page(self, number) -> Page:
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return super().page(number)
        if self.estimated:
            return self._estimated_page(qs, number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEFERRED_JOIN_FROM:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        pks = list(qs.values_list("pk", flat=True)[bottom:top])
        return self._get_page(list(qs.filter(pk__in=pks)), number, self)

    def get_page(self, number) -> Page:
        """As Paginator.get_page, but a list counted by estimate keeps a page number past the
        estimated last page (_estimated_page serves it if it has rows)."""
        if not (self.count and self.estimated and isinstance(self.object_list, QuerySet)):
            return super().get_page(number)
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        return self.page(number)

    def _estimated_page(self, qs, number) -> Page:
        """A page of a list counted by estimate: its rows are read as asked, one more than a page to
        know whether another follows, so a page past the estimated last one still shows its rows (an
        estimate below the true count hides none of them) and 下一页 is offered exactly while rows
        follow. A page number past the rows shows the true last page (counted then, exactly)."""
        try:
            number = self.validate_number(number)
        except EmptyPage:
            number = max(1, int(number))  # past the estimated last page: served if it has rows
        bottom = (number - 1) * self.per_page
        window = qs[bottom : bottom + self.per_page + 1]
        if bottom >= DEFERRED_JOIN_FROM:
            pks = list(qs.values_list("pk", flat=True)[bottom : bottom + self.per_page + 1])
            window = list(qs.filter(pk__in=pks))
        rows = list(window)
        if not rows and number > 1:  # past the rows (rare: a page number typed in): the true last page
            last = max(1, -(-qs.count() // self.per_page))
            if last < number:
                return self._estimated_page(qs, last)
        return EstimatedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


class EstimatedPage(Page):
    """A page whose 下一页 follows the rows read (one more than a page), not the estimated count."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def next_page_number(self) -> int:
        return self.number + 1  # the estimated count does not bound it: has_next does

    def previous_page_number(self) -> int:
        return max(1, self.number - 1)


def planner_rows(qs) -> int:
    """The planner's estimate of how many rows a queryset returns (EXPLAIN, nothing run)."""
    sql, params = qs.order_by().query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


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


# A newest-first list of a very large table (the 1,000,000 receipts) is paged by number only this
# far; past it, 下一页/上一页 carry the key of the last/first row shown (?after=/?before=), which the
# database finds in its index at once. Page 20,000 by number read 1,000,000 index keys (~100 ms).
NUMBERED_PAGES = 100


class KeysetPage:
    """One page of a newest-first list (ordered by ``key`` descending, then pk descending): a numbered
    page (?page=, up to NUMBERED_PAGES) or the rows after/before a row (?after=<pk>, ?before=<pk>).
    ``error`` is a message for the user instead of rows (a page number past the cap, a bad key)."""

    def __init__(self, rows, *, paginator, number=None, has_previous=False, has_next=False, error=""):
        self.object_list, self.paginator, self.number = rows, paginator, number
        self._has_previous, self._has_next, self.error = has_previous, has_next, error
        self.max_number = NUMBERED_PAGES

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self._has_previous

    def has_next(self) -> bool:
        return self._has_next

    def previous_link(self) -> dict:
        """The query parameters of 上一页: a page number, or the key of this page's first row."""
        if self.number is not None:
            return {"page": self.number - 1}
        return {"before": self.object_list[0].pk}

    def next_link(self) -> dict:
        if self.number is not None and self.number < NUMBERED_PAGES:
            return {"page": self.number + 1}
        return {"after": self.object_list[-1].pk}


def paginate_keyset(request, queryset, key: str, per_page: int | None = None) -> KeysetPage:
    """A page of ``queryset`` in the order (-key, -pk): ?after=<pk> / ?before=<pk> for any depth,
    ?page= for the first NUMBERED_PAGES pages. One query for the rows (plus the count, and for a
    key page one look-up of that row's key), however deep."""
    per_page = per_page or settings.PAGE_SIZE
    ordered = queryset.order_by(f"-{key}", "-pk")
    paginator = EstimatedCountPaginator(ordered, per_page)
    after, before = request.GET.get("after"), request.GET.get("before")
    if after is None and before is None:
        raw = request.GET.get("page") or "1"
        number = int(raw) if raw.isdigit() else 1
        if number > NUMBERED_PAGES:
            return KeysetPage(
                [],
                paginator=paginator,
                error=(
                    f"页码 {number} 超出范围：按页码最多可翻到第 {NUMBERED_PAGES} 页。"
                    f"请用上方的筛选条件缩小范围，或翻到第 {NUMBERED_PAGES} 页后点“下一页”继续往后翻。"
                ),
            )
        page = paginator.get_page(number)
        return KeysetPage(
            list(page),
            paginator=paginator,
            number=page.number,
            has_previous=page.has_previous(),
            has_next=page.has_next(),
        )
    cursor = after if after is not None else before
    value = (
        queryset.filter(pk=int(cursor)).order_by().values_list(key, flat=True).first()
        if cursor.isdigit()
        else None
    )
    if value is None:
        return KeysetPage([], paginator=paginator, error="翻页位置无效（该记录不存在），请从第一页重新查看。")
    meta = queryset.model._meta
    columns = f'("{meta.db_table}"."{meta.get_field(key).column}", "{meta.db_table}"."{meta.pk.column}")'
    if after is not None:
        rows = list(
            ordered.filter(
                RawSQL(f"{columns} < (%s, %s)", [value, int(cursor)], output_field=BooleanField())
            )[: per_page + 1]
        )
        return KeysetPage(
            rows[:per_page], paginator=paginator, has_previous=True, has_next=len(rows) > per_page
        )
    rows = list(
        queryset.order_by(key, "pk").filter(
            RawSQL(f"{columns} > (%s, %s)", [value, int(cursor)], output_field=BooleanField())
        )[: per_page + 1]
    )
    page_rows = rows[:per_page][::-1]
    return KeysetPage(page_rows, paginator=paginator, has_previous=len(rows) > per_page, has_next=True)
