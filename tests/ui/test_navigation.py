"""The sidebar lights up exactly one item: the page's own, never its section's index as well."""

import pytest
from django.urls import reverse

from linggao_pension.navigation import _active_url

from .html import doc, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "user, url_name, expected",
    [
        ("clerk", "home", "首页"),
        ("clerk", "enrollment:person_list", "参保人员"),
        ("clerk", "enrollment:application_list", "参保登记申请"),
        ("clerk", "contributions:receipt_list", "缴费票据"),
        ("agent", "contributions:receipt_create", "登记缴费"),
        ("clerk", "contributions:index", "保费征缴"),
        ("clerk", "benefits:due_list", "到龄名单"),
        ("clerk", "benefits:payroll_list", "月度发放"),
        ("auditor", "org:accesslog_list", "个人信息查看日志"),
    ],
)
def test_exactly_one_item_is_active(client, request, user, url_name, expected):
    client.force_login(request.getfixturevalue(user))
    page = doc(client.get(reverse(url_name)))
    active = page.xpath('//nav[@class="sidenav"]//a[contains(@class, "active")]')
    assert [text(a) for a in active] == [expected]


def test_a_record_page_lights_its_list():
    urls = ["/", "/enrollment/dashboard/", "/enrollment/persons/", "/contributions/", "/contributions/receipts/",
            "/contributions/receipts/new/"]  # fmt: skip
    assert _active_url("/enrollment/persons/12/", urls) == "/enrollment/persons/"
    assert _active_url("/contributions/receipts/7/pdf/", urls) == "/contributions/receipts/"
    assert _active_url("/contributions/accounts/7/", urls) == "/contributions/"
    assert _active_url("/org/jobs/1/", urls) is None
