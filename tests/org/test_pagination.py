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
