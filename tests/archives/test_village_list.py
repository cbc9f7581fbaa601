"""The village list (issue 14): the upload page lands on the one import result page (errors listed and
downloadable, or the count imported), and the resident import's error for an unknown village says
where the village is registered, what the town has, and how to add a missing one."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from enrollment import services
from enrollment.models import Person
from enrollment.resident_import import HEADERS
from linggao_pension.org.models import JobRun, Town, Village
from tests.enrollment.xlsx import workbook_bytes
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db
HOW = "村/居委会名单导入"


def _villages_file(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["镇/农场", "村/居委会", "区划代码"])
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "villages.xlsx"
    return buffer


def _upload(client, rows, capture):
    with capture(execute=True):  # the job starts when the upload's transaction commits
        return client.post(reverse("org:village_import"), {"file": _villages_file(rows)})


def test_the_village_upload_shows_the_shared_import_result_page(client, admin_user,
                                                                django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    before = Village.objects.count()
    response = _upload(client, [("临城镇", "结果页甲村", ""), ("不存在镇", "某村", "")], django_capture_on_commit_callbacks)
    job = JobRun.objects.get(kind="org.import_villages")
    assert response.status_code == 302 and response["Location"] == reverse("org:import_result", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "村/居委会名单导入结果" in page and "发现 1 处错误，未导入任何数据" in page
    assert "未知的镇/农场“不存在镇”" in page and reverse("org:import_errors", args=[job.pk]) in page
    assert Village.objects.count() == before  # all or nothing
    errors = client.get(reverse("org:import_errors", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(errors.getvalue())).worksheets[0]
    assert tuple(list(sheet.iter_rows(values_only=True))[2])[:2] == (3, "镇/农场")

    response = _upload(client, [("临城镇", "结果页甲村", ""), ("临城镇", "结果页乙村", "")],
                       django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    assert "已导入 2 个村/居委会" in page and Village.objects.count() == before + 2
    # the upload page lists both with their result page
    listing = client.get(reverse("org:village_import")).content.decode()
    assert listing.count(reverse("org:import_result", args=[job.pk])) == 1 and "（1 处错误）" in listing


def test_a_clerk_cannot_see_a_village_import_result(client, admin_user, clerk, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    _upload(client, [("临城镇", "某新村", "")], django_capture_on_commit_callbacks)
    job = JobRun.objects.get(kind="org.import_villages")
    client.force_login(clerk)
    assert client.get(reverse("org:import_result", args=[job.pk])).status_code == 403


def _row(id_number, town, village):
    return [id_number, "李秀兰", "黎族", town, village, "13800138000", "农村", "临高县某村5号", "021", "2014-07-01",
            "海南农信", "6217000012345678"]


def _errors(rows) -> dict[int, str]:
    result = services.residents_import(file=io.BytesIO(workbook_bytes(rows, HEADERS)))
    assert result.imported == 0
    return {e.row: e.message for e in result.errors if e.column == "村/居委会"}


def test_an_unknown_village_in_the_resident_import_says_what_is_known_and_how_to_add_it(town, other_town):
    Village.objects.create(town=town, code="469024100801", name="美鳌村")
    Village.objects.create(town=town, code="469024100802", name="文新村")
    Village.objects.create(town=other_town, code="469024101801", name="波浪村")
    bare = Town.objects.filter(is_active=True).exclude(pk__in=Village.objects.values("town")).first()
    rows = [
        _row(make_id_number(date(1970, 1, 1)), town.name, "波浪村"),  # 2: registered under another town
        _row(make_id_number(date(1971, 1, 1)), town.name, "美鳌"),  # 3: a close name
        _row(make_id_number(date(1972, 1, 1)), town.name, "新盈村"),  # 4: not registered anywhere
        _row(make_id_number(date(1973, 1, 1)), bare.name, "某村"),  # 5: a town with no village list yet
    ]
    errors = _errors(rows)
    assert errors[2] == f"村/居委会“波浪村”不属于{town.name}（登记在{other_town.name}），请核对该行的镇/农场或村/居委会"
    assert errors[3].startswith(f"村/居委会“美鳌”不属于{town.name}，是否为“美鳌村”？") and HOW in errors[3]
    assert f"（{town.name}已登记：美鳌村、文新村）" in errors[4]
    assert HOW in errors[4] and "python manage.py import_villages" in errors[4]
    assert errors[5].startswith(f"村/居委会“某村”不属于{bare.name}：{bare.name}尚未登记任何村/居委会") and HOW in errors[5]
    assert Person.objects.count() == 0
