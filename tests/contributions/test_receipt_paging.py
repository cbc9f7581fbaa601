"""The receipts list pages by number only for the first pages; past them 下一页/上一页 carry the key
of the last/first row shown (?after=/?before=): the same rows a plain OFFSET would show, in the
same order, in a constant number of queries, and a page number past the cap is a Chinese message."""

import re
from datetime import date, timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contributions.models import Receipt
from linggao_pension import pagination
from tests.factories import ReceiptFactory

from .conftest import nth_person

URL = reverse("contributions:receipt_list")


@pytest.fixture
def receipts(db, town, settings, monkeypatch):
    settings.PAGE_SIZE = 3
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", 2)
    # 14 receipts on 5 dates, so one date spans a page boundary and the pk breaks the ties.
    return [
        ReceiptFactory(person=nth_person(i, town=town), paid_on=date(2026, 3, 1) + timedelta(days=i // 3))
        for i in range(14)
    ]


def shown(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/contributions/receipts/(\d+)/"', html)]


def expected_page(number: int) -> list[int]:
    return [r.pk for r in Paginator(Receipt.objects.order_by("-paid_on", "-pk"), 3).page(number)]


def link(html: str, label: str) -> str | None:
    found = re.search(r'<a href="\?([^"]*)">' + label + "</a>", html)
    return found and found.group(1).replace("&amp;", "&")


def test_next_and_previous_by_key_show_the_offset_pages(client, finance, receipts):
    client.force_login(finance)
    html = client.get(URL, {"page": 2}).content.decode()
    assert shown(html) == expected_page(2) and "第 2 页" in html
    next_query = link(html, "下一页")
    assert next_query == f"after={expected_page(2)[-1]}"  # the cap: page 3 only by key
    for number in (3, 4):
        html = client.get(f"{URL}?{next_query}").content.decode()
        assert shown(html) == expected_page(number)
        next_query = link(html, "下一页")
    html = client.get(f"{URL}?{next_query}").content.decode()
    assert shown(html) == expected_page(5) and link(html, "下一页") is None  # 14 receipts: 2 on the last
    for number in (4, 3, 2):
        html = client.get(f"{URL}?{link(html, '上一页')}").content.decode()
        assert shown(html) == expected_page(number)
    assert "共 14 条" in html


def test_a_deep_key_page_takes_as_many_queries_as_the_first(client, finance, receipts):
    client.force_login(finance)
    client.get(URL)
    cursor, last_page = expected_page(4)[-1], expected_page(5)
    with CaptureQueriesContext(connection) as first:
        client.get(URL)
    with CaptureQueriesContext(connection) as deep:
        response = client.get(URL, {"after": cursor})
    assert shown(response.content.decode()) == last_page
    assert len(deep) <= len(first) + 1  # the one look-up of the key's row


def test_a_page_number_past_the_cap_is_a_message_not_a_500(client, finance, receipts):
    client.force_login(finance)
    response = client.get(URL, {"page": 20000})
    html = response.content.decode()
    assert response.status_code == 200 and shown(html) == []
    assert "页码 20000 超出范围" in html and "按页码最多可翻到第 2 页" in html and "筛选条件" in html


@pytest.mark.parametrize("cursor", ["abc", "999999", "-1"])
def test_a_bad_key_is_a_message(client, finance, receipts, cursor):
    client.force_login(finance)
    for name in ("after", "before"):
        response = client.get(URL, {name: cursor})
        assert response.status_code == 200 and "翻页位置无效" in response.content.decode()


def test_the_key_pages_keep_the_filter(client, finance, receipts, town):
    wanted = [r for r in receipts if r.paid_on >= date(2026, 3, 3)]  # 8 receipts
    client.force_login(finance)
    html = client.get(URL, {"paid_from": "2026-03-03", "page": 2}).content.decode()
    next_query = link(html, "下一页")
    assert next_query.startswith("paid_from=2026-03-03&") and "page=" not in next_query
    html = client.get(f"{URL}?{next_query}").content.decode()
    newest_first = sorted(wanted, key=lambda r: (r.paid_on, r.pk), reverse=True)
    assert shown(html) == [r.pk for r in newest_first[6:]]
    # A key row the filter does not show is no position in that list.
    outside = min(receipts, key=lambda r: (r.paid_on, r.pk))
    assert (
        "翻页位置无效" in client.get(URL, {"paid_from": "2026-03-03", "after": outside.pk}).content.decode()
    )
