"""The village list import: all or nothing, codes assigned when empty, a rerun adds nothing twice."""

import json
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from linggao_pension.org.models import Village
from linggao_pension.org.villages import villages_import

HEADERS = ["镇/农场", "村/居委会", "区划代码"]


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run(tmp_path, rows, name="v.xlsx") -> tuple[dict, bool]:
    path = tmp_path / name
    path.write_bytes(xlsx(rows))
    out = StringIO()
    refused = False
    try:
        call_command("import_villages", str(path), "--json", stdout=out)
    except CommandError:
        refused = True
    return json.loads(out.getvalue()), refused


def test_import_assigns_codes_and_rerun_adds_nothing(db, tmp_path):
    rows = [("临城镇", "测试甲村", ""), ("临城镇", "测试乙村", "469024100901"), ("国营红华农场", "一队居委会", ""),
            ("红华农场", "二队居委会", "")]
    before = Village.objects.count()
    data, refused = run(tmp_path, rows)
    assert not refused and data["imported"] == 4 and data["skipped"] == 0 and data["errors"] == []
    assert Village.objects.count() == before + 4
    assert Village.objects.get(name="测试乙村").code == "469024100901"
    a = Village.objects.get(name="测试甲村").code
    assert a.startswith("469024100") and len(a) == 12 and a != "469024100901"
    assert Village.objects.get(name="一队居委会").code.startswith("469024400")
    again, refused = run(tmp_path, rows)
    assert not refused and again == {"imported": 0, "skipped": 4, "errors": []}
    assert Village.objects.count() == before + 4


def test_bad_rows_import_nothing(db, tmp_path):
    before = Village.objects.count()
    data, refused = run(tmp_path, [
        ("临城镇", "好村", ""), ("不存在镇", "某村", ""), ("临城镇", "", ""), ("临城镇", "坏码村", "12AB"),
        ("临城镇", "外码村", "469024101001"), ("临城镇", "好村", ""),
    ])
    assert refused and data["imported"] == 0
    messages = {(e["row"], e["column"]): e["message"] for e in data["errors"]}
    assert "未知的镇/农场“不存在镇”" in messages[(3, "镇/农场")]
    assert messages[(4, "村/居委会")] == "村/居委会名称不能为空"
    assert "应为不超过15位的数字" in messages[(5, "区划代码")]
    assert "应以临城镇的代码 469024100 开头" in messages[(6, "区划代码")]
    assert "文件内重复（与第 2 行相同）" in messages[(7, "村/居委会")]
    assert Village.objects.count() == before


def test_existing_village_with_another_code_is_an_error(db, tmp_path):
    run(tmp_path, [("临城镇", "测试丙村", "469024100950")])
    data, refused = run(tmp_path, [("临城镇", "测试丙村", "469024100951"), ("波莲镇", "测试丁村", "469024100950")])
    assert refused
    text = " ".join(e["message"] for e in data["errors"])
    assert "已登记，区划代码为 469024100950" in text


def test_wrong_headers(db, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([("临城镇", "x")], headers=["镇", "村"]))
    with pytest.raises(CommandError):
        call_command("import_villages", str(path), "--json", stdout=StringIO())


def test_upload_page_for_admin_only(client, admin_user, clerk, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    assert client.get(reverse("org:village_import")).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("org:village_import")).status_code == 200
    upload = BytesIO(xlsx([("临城镇", "页面导入村", "")]))
    upload.name = "villages.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("org:village_import"), {"file": upload})
    assert response.status_code == 302
    assert Village.objects.filter(name="页面导入村").exists()
    template = client.get(reverse("org:village_import_template"))
    assert template.status_code == 200 and template.content.startswith(b"PK")


def test_service_directly(db):
    result = villages_import(file=BytesIO(xlsx([("临城镇", "直接村", "")])))
    assert result.ok and result.imported == 1
