"""Deep pages (past DEFERRED_JOIN_FROM rows) are read keys first: they must show exactly the rows a
plain OFFSET shows, in the same order."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import RequestFactory

from enrollment.models import Person
from linggao_pension import pagination
from tests.factories import PersonFactory


@pytest.mark.django_db
def test_deep_page_shows_the_same_rows_as_a_plain_offset(monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_FROM", 5)
    PersonFactory.create_batch(23)
    qs = Person.objects.select_related("town").order_by("-birth_date", "pk")
    for number in (1, 2, 3, 5):  # page 1 below the threshold, 2-3 keys first, 5 the short last page
        request = RequestFactory().get("/", {"page": number})
        page = pagination.paginate(request, qs, per_page=5)
        plain = Paginator(qs, 5).page(number)
        assert [p.pk for p in page] == [p.pk for p in plain]
        assert page.paginator.count == 23 and page.has_next() == plain.has_next()
    assert [p.pk for p in pagination.paginate(RequestFactory().get("/", {"page": 99}), qs, per_page=5)] == [
        p.pk for p in Paginator(qs, 5).page(5)
    ]


@pytest.mark.django_db
def test_a_filtered_list_is_counted_up_to_the_cap(monkeypatch):
    """Past COUNT_CAP rows a filtered list says "超过 N 条" (on PostgreSQL with the planner's estimate;
    here, SQLite, the exact count) and still pages to its end."""
    from django.template.loader import render_to_string

    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    PersonFactory.create_batch(7, status=Person.Status.CONTRIBUTING)
    PersonFactory.create_batch(3, status=Person.Status.RECEIVING)
    request = RequestFactory().get("/", {"page": 2})
    contributing = Person.objects.filter(status=Person.Status.CONTRIBUTING).order_by("pk")
    over = pagination.paginate(request, contributing, 5)
    # SQLite counts exactly; PostgreSQL takes the planner's estimate (at least COUNT_CAP + 1), which
    # may be below the 7 rows: the last page's rows are shown all the same, and 下一页 follows the rows.
    assert over.paginator.capped and over.paginator.count >= 5
    assert [p.pk for p in over] == [p.pk for p in contributing[5:]] and not over.has_next()
    first = pagination.paginate(RequestFactory().get("/", {"page": 1}), contributing, 5)
    assert len(first) == 5 and first.has_next()
    request.GET = request.GET.copy()
    text = render_to_string("_pagination.html", {"page": first, "request": request})
    assert "共超过 4 条" in text and "下一页" in text
    if connection.vendor == "sqlite":
        assert over.paginator.count == 7 and "第 2 / 2 页" in render_to_string(
            "_pagination.html", {"page": over, "request": request})
    under = pagination.paginate(
        request, Person.objects.filter(status=Person.Status.RECEIVING).order_by("pk"), 5
    )
    assert not under.paginator.capped and under.paginator.count == 3
    assert "共 3 条" in render_to_string("_pagination.html", {"page": under, "request": request})


@pytest.mark.django_db
def test_an_estimate_below_the_true_count_hides_no_page(monkeypatch):
    """An estimated count (a large table's reltuples, a capped filter's plan) below the true count:
    the pages past the estimated last one still show their rows, 下一页 follows the rows; a page
    number past the rows shows the true last page."""
    PersonFactory.create_batch(12)
    qs = Person.objects.order_by("pk")
    monkeypatch.setattr(pagination.EstimatedCountPaginator, "estimated", True)
    monkeypatch.setattr(pagination.EstimatedCountPaginator, "count", 5)  # the estimate: one page of 5
    pages = {n: pagination.paginate(RequestFactory().get("/", {"page": n}), qs, per_page=5) for n in (1, 2, 3, 9)}
    ids = list(qs.values_list("pk", flat=True))
    assert [p.pk for p in pages[1]] == ids[:5] and pages[1].has_next()
    assert [p.pk for p in pages[2]] == ids[5:10] and pages[2].has_next()
    assert [p.pk for p in pages[3]] == ids[10:] and not pages[3].has_next()
    assert pages[9].number == 3 and [p.pk for p in pages[9]] == ids[10:]
    from django.template.loader import render_to_string

    request = RequestFactory().get("/", {"page": 2})
    second = render_to_string("_pagination.html", {"page": pages[2], "request": request})
    assert "page=3" in second and "下一页" in second and "末页" not in second  # past the estimate
    last = render_to_string("_pagination.html", {"page": pages[3], "request": request})
    assert "上一页" in last and "page=2" in last and "下一页" not in last
