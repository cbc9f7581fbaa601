"""Deep pages (past DEFERRED_JOIN_FROM rows) are read keys first: they must show exactly the rows a
plain OFFSET shows, in the same order."""

import pytest
from django.core.paginator import Paginator
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
    over = pagination.paginate(
        request, Person.objects.filter(status=Person.Status.CONTRIBUTING).order_by("pk"), 5
    )
    assert over.paginator.capped and over.paginator.count == 7 and len(over) == 2
    request.GET = request.GET.copy()
    text = render_to_string("_pagination.html", {"page": over, "request": request})
    assert "共超过 4 条" in text and "第 2 / 2 页" in text
    under = pagination.paginate(
        request, Person.objects.filter(status=Person.Status.RECEIVING).order_by("pk"), 5
    )
    assert not under.paginator.capped and under.paginator.count == 3
    assert "共 3 条" in render_to_string("_pagination.html", {"page": under, "request": request})
