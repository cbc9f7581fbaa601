"""Excel exports: the 现场监督台账 with its findings (scoped to the town) and the 疑点核查结果 (ID
numbers masked for those without the full-view permission); each download logged."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linggao_pension.org.models import AccessLog
from supervision.models import SuspectItem, SuspectList
from supervision.services import onsite, plans

from ..factories import PersonFactory

pytestmark = pytest.mark.django_db


def _rows(response, sheet=None):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))  # not read-only: short rows padded to the header
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _inspection(auditor, town, title):
    start = timezone.localdate() + timedelta(days=10)
    return plans.inspection_create(kind="spot", title=title, town=town, scope=["2", "4"], team_leader="周明",
                                   start=start, end=start + timedelta(days=3), by=auditor, programme="方案")


def test_the_inspection_export_lists_the_towns_own_inspections_and_their_findings(
        client, auditor, agent, town, other_town):
    mine, theirs = _inspection(auditor, town, "临城镇抽查"), _inspection(auditor, other_town, "波莲镇抽查")
    for inspection in (mine, theirs):
        plans.inspection_notify(inspection=inspection, on=timezone.localdate(), text="通知", by=auditor)
        plans.inspection_start(inspection=inspection, on=inspection.planned_start, by=auditor)
    onsite.finding_add(inspection=mine, scope="2", description="代办人员未核对户籍", persons_involved=3,
                       amount_involved=Decimal("1200.50"), by=auditor)
    onsite.finding_add(inspection=mine, scope="4", description="档案未归档", persons_involved=0,
                       amount_involved=Decimal("0"), by=auditor)
    onsite.finding_add(inspection=theirs, scope="2", description="波莲镇的问题", persons_involved=1,
                       amount_involved=Decimal("99"), by=auditor)

    client.force_login(agent)
    rows = _rows(client.get(reverse("supervision:inspection_export")), "现场监督")
    assert rows[0][0] == "临高县城乡居民社会养老保险局 现场监督台账"
    header = rows[2]
    body = rows[3:-1]
    assert [r[0] for r in body] == [mine.number]  # another town's inspection is not in the town's file
    line = dict(zip(header, body[0], strict=True))
    assert line["被监督单位"] == "临城镇社保中心" and line["状态"] == "实施中"
    assert line["发现问题（条）"] == 2 and Decimal(str(line["涉及金额（元）"])) == Decimal("1200.50")
    assert rows[-1][0] == "合计（1 条）"
    findings = _rows(client.get(reverse("supervision:inspection_export")), "发现问题")
    assert [r[3] for r in findings[2:-1]] == ["代办人员未核对户籍", "档案未归档"]
    assert findings[-1][4] == 3  # persons involved, totalled
    log = AccessLog.objects.filter(user=agent, action="下载", object_type="supervision.inspection_list")
    assert log.count() == 2 and "1 项" in log.first().label

    # the auditor's file has both towns; the filter applies to the download
    client.force_login(auditor)
    rows = _rows(client.get(reverse("supervision:inspection_export")), "现场监督")
    assert {r[0] for r in rows[3:-1]} == {mine.number, theirs.number}
    rows = _rows(client.get(reverse("supervision:inspection_export"), {"town": other_town.pk}), "现场监督")
    assert [r[0] for r in rows[3:-1]] == [theirs.number]


def _suspect(person, kind="paid_after_death", amount="602.00"):
    source = SuspectList.objects.get_or_create(kind="deaths", filename="deaths.xlsx")[0]
    return SuspectItem.objects.create(kind=kind, person=person, id_number=person.id_number, name=person.name,
                                      key="2026-03-10", months=["2026-04", "2026-05"], amount=Decimal(amount),
                                      source_list=source)


def test_the_suspect_export_masks_id_numbers_unless_the_user_may_see_them(client, auditor, manager, town):
    person = PersonFactory(town=town, name="王大山")
    _suspect(person)
    _suspect(PersonFactory(town=town, name="李二"), kind="contributor_died", amount="300.00")

    client.force_login(auditor)  # holds enrollment.view_person_full
    rows = _rows(client.get(reverse("supervision:suspect_export")))
    header, body = rows[2], rows[3:-1]
    by_name = {r[header.index("姓名")]: dict(zip(header, r, strict=True)) for r in body}
    assert by_name["王大山"]["身份证号"] == person.id_number
    assert by_name["王大山"]["涉及月份"] == "2026-04 至 2026-05（2 个月）"
    assert by_name["王大山"]["疑点类型"] == "死亡后仍领取待遇" and by_name["王大山"]["核查结果"] == "待核查"
    assert rows[-1][0] == "合计（2 条）" and Decimal(str(rows[-1][header.index("涉及金额（元）")])) == Decimal("902.00")

    client.force_login(manager)  # sees the list, not the full numbers
    rows = _rows(client.get(reverse("supervision:suspect_export"), {"kind": "paid_after_death"}))
    body = rows[3:-1]
    assert len(body) == 1
    shown = body[0][rows[2].index("身份证号")]
    assert shown != person.id_number and shown.startswith(person.id_number[:6]) and shown.endswith(person.id_number[-4:])
    assert person.id_number not in str(rows)
    assert AccessLog.objects.filter(action="下载", object_type="supervision.suspect_list").count() == 2
    assert AccessLog.objects.filter(user=manager, action="下载", label__contains="1 条").exists()


def test_a_town_agent_cannot_download_the_suspect_results(client, agent, town):
    _suspect(PersonFactory(town=town))
    client.force_login(agent)
    assert client.get(reverse("supervision:suspect_export")).status_code == 403
    assert not AccessLog.objects.filter(action="下载").exists()
