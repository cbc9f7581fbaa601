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


def test_access_log_filters_by_user_action_and_dates(client, auditor, clerk, finance):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from linggao_pension.org.models import AccessLog

    tz = ZoneInfo("Asia/Shanghai")
    a = AccessLog.objects.create(user=clerk, object_type="enrollment.person", object_id="1", label="张三", action="查看")
    b = AccessLog.objects.create(user=finance, object_type="benefits.bank_file", object_id="2", label="银行文件", action="下载")
    c = AccessLog.objects.create(user=clerk, object_type="contributions.receipt", object_id="3", label="李四", action="打印缴费票据")
    AccessLog.objects.filter(pk=a.pk).update(at=datetime(2026, 10, 5, 9, tzinfo=tz))
    AccessLog.objects.filter(pk=b.pk).update(at=datetime(2026, 11, 5, 9, tzinfo=tz))
    AccessLog.objects.filter(pk=c.pk).update(at=datetime(2026, 11, 20, 23, 30, tzinfo=tz))
    client.force_login(auditor)

    def labels(**params):
        page = doc(client.get(reverse("org:accesslog_list"), params))
        return [text(tr.xpath("./td")[3]) for tr in page.xpath("//table/tbody/tr[td[4]]")]

    assert labels(user="clerk") == ["李四", "张三"]
    assert labels(action="打印") == ["李四"]
    assert labels(date_from="2026-11-01", date_to="2026-11-20") == ["李四", "银行文件"]  # 23:30 local is the 20th
    assert labels(date_to="2026-10-31") == ["张三"]
    page = doc(client.get(reverse("org:accesslog_list")))
    assert page.xpath('//input[@name="date_from"]')[0].get("type") == "date"
