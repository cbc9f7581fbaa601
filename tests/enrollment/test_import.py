"""Go-live import of people already insured: all or nothing, every bad row named."""

import io
import json
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from enrollment import services
from enrollment.models import Person
from enrollment.resident_import import HEADERS, VILLAGE_HOW_TO_ADD
from enrollment.rules import id_check_char
from linggao_pension.imports import read_rows
from linggao_pension.org.models import JobRun
from tests.factories import PersonFactory, make_id_number

from .conftest import application_data
from .xlsx import valid_rows, workbook_bytes

pytestmark = pytest.mark.django_db


def run_import(rows, by=None, headers=HEADERS):
    return services.residents_import(file=io.BytesIO(workbook_bytes(rows, headers)), by=by)


def good_row(id_number, **cells):
    row = dict(zip(HEADERS, [id_number, "李秀兰", "黎族", "临城镇", "美鳌村", "13800138000", "农村",
                             "临高县临城镇美鳌村5号", "021", "2014-07-01", "海南农信", "6217000012345678"], strict=True))  # fmt: skip
    row.update(cells)
    return [row[h] for h in HEADERS]


def test_good_file_imports_every_row_as_contributing(clerk, village):
    id1, id2 = make_id_number(date(1960, 4, 5), "2"), make_id_number(date(1990, 12, 1), "1")
    rows = [
        good_row(id1.lower()),
        good_row(id2, 民族="01", 村="", 户籍性质=10, 参保身份=21, 参保日期=datetime(2012, 3, 1), 联系电话=13912345678),
        good_row(make_id_number(date(1985, 1, 1)), 民族="黎", 户籍性质="城镇", 参保身份="", 银行账号=""),
    ]
    rows[1][4] = ""  # 村/居委会 blank
    result = run_import(rows, by=clerk)
    assert result.ok and result.imported == 3
    first = Person.objects.get(id_number=id1)
    assert (first.name, first.sex, first.birth_date) == ("李秀兰", "2", date(1960, 4, 5))
    assert first.ethnicity == "19" and first.hukou_type == "20" and first.identity_id == "021"
    assert first.village == village and first.town.name == "临城镇"
    assert first.enrolled_on == date(2014, 7, 1) and first.status == Person.Status.CONTRIBUTING
    second = Person.objects.get(id_number=id2)
    assert second.hukou_type == "10" and second.identity_id == "021" and second.village is None
    assert second.enrolled_on == date(2012, 3, 1) and second.phone == "13912345678"
    third = Person.objects.exclude(pk__in=[first.pk, second.pk]).get()
    assert third.ethnicity == "19" and third.hukou_type == "10" and third.identity_id == "011"
    assert sorted(Person.objects.values_list("insured_no", flat=True)) == [
        "469024100000001", "469024100000002", "469024100000003",
    ]  # fmt: skip
    record = first.history.get()
    assert record.history_change_reason == "历史数据导入" and record.history_user == clerk
    # Each person's "created" history row holds the row as stored (COPY and INSERT ... SELECT on
    # PostgreSQL, bulk_create_with_history on SQLite).
    columns = [f.attname for f in Person._meta.concrete_fields]
    for person in Person.objects.all():
        record = person.history.get()
        assert record.history_type == "+" and record.history_user == clerk
        assert [getattr(record, c) for c in columns] == [getattr(person, c) for c in columns]


def test_bad_file_imports_nothing_and_names_every_bad_row(village):
    registered = PersonFactory()
    wrong_check = make_id_number(date(1970, 1, 1))
    wrong_check = wrong_check[:17] + ("0" if wrong_check[17] != "0" else "1")
    dup = make_id_number(date(1971, 2, 2))
    child = make_id_number(date(2000, 1, 1))
    leap = "469024" + "20010229" + "001"
    rows = [
        good_row(make_id_number(date(1972, 3, 3))),  # row 2: fine
        good_row(wrong_check),  # 3
        good_row(dup),  # 4
        good_row(dup),  # 5
        good_row(registered.id_number),  # 6
        good_row(make_id_number(date(1973, 4, 4)), **{"镇/农场": "加来镇"}),  # 7
        good_row(child, 参保日期="2014-07-01"),  # 8: 14 on the enrolment date
        good_row(make_id_number(date(1974, 5, 5)), **{"村/居委会": "波浪村"}),  # 9: not a village of 临城镇
        good_row(leap + id_check_char(leap)),  # 10: 29 Feb 2001 does not exist
        good_row(make_id_number(date(1975, 6, 6)), 民族="火星族", 户籍性质="外地", 参保身份="999"),  # 11: three errors
        good_row(make_id_number(date(1976, 7, 7)), 参保日期="2027-01-01", 姓名=""),  # 12: two errors
        good_row(make_id_number(date(1977, 8, 8)), 参保日期="明年", 联系电话="123", 银行账号="abc"),  # 13
        good_row(make_id_number(date(1978, 9, 9))),  # 14: fine
    ]
    result = run_import(rows)
    assert result.imported == 0
    assert Person.objects.count() == 1  # only the one registered before
    errors = [(e.row, e.column, e.message) for e in result.errors]
    assert errors == [
        (3, "身份证号", "身份证号校验位错误"),
        (4, "身份证号", "文件内重复（与第 5 行身份证号相同）"),
        (5, "身份证号", "文件内重复（与第 4 行身份证号相同）"),
        (6, "身份证号", f"已登记（参保编号 {registered.insured_no}）"),
        (7, "镇/农场", "未知的镇/农场“加来镇”"),
        (8, "参保日期", "未满16周岁（参保日期 2014-07-01 时 14 周岁）"),
        (9, "村/居委会", "村/居委会“波浪村”不属于临城镇（临城镇已登记：美鳌村）；" + VILLAGE_HOW_TO_ADD),
        (10, "身份证号", "身份证号中的出生日期“20010229”不是有效日期"),
        (11, "民族", "未知的民族“火星族”，应为民族名称（如 汉族、黎族）或国标代码"),
        (11, "户籍性质", "户籍性质“外地”应为 城镇/农村 或 10/20"),
        (11, "参保身份", "未知的参保身份代码“999”"),
        (12, "姓名", "姓名不能为空"),
        (12, "参保日期", "参保日期不能晚于今天"),
        (13, "联系电话", "联系电话“123”格式不正确，应为手机号或固定电话（如 0898-28278663）"),
        (13, "参保日期", "“明年”不是有效的日期，应为 2024-03-15 格式"),
        (13, "银行账号", "银行/社保卡账号“abc”应为8至32位数字"),
    ]
    assert {row for row, _, _ in errors} == set(range(3, 14))  # every bad row, and only those


def test_open_application_blocks_the_import_row(agent, town, village):
    application = services.application_create(data=application_data(town), by=agent)
    result = run_import([good_row(application.id_number)])
    assert [(e.row, e.message) for e in result.errors] == [(2, f"已有未办结的参保登记申请（{application.number}）")]
    assert not Person.objects.exists()


def test_wrong_headers_are_one_clear_error():
    headers = list(HEADERS)
    headers[1], headers[2] = headers[2], headers[1]
    result = run_import([good_row(make_id_number(date(1970, 1, 1)))], headers=headers)
    assert len(result.errors) == 1
    assert result.errors[0].row == 1 and result.errors[0].message.startswith("表头不正确")
    assert not Person.objects.exists()


def test_not_a_spreadsheet_file():
    result = services.residents_import(file=io.BytesIO(b"\x00\x01 not a spreadsheet \x00"))
    assert result.errors[0].message.startswith("无法读取文件")


def test_a_csv_with_other_columns_is_refused_by_its_header():
    result = services.residents_import(file=io.BytesIO(b"id,name\n1,2\n"))
    assert result.errors[0].message.startswith("表头不正确")


def test_numeric_id_cells_get_a_hint():
    number = make_id_number(date(1970, 1, 1))
    result = run_import([good_row(float(number[:17] + "0"))])
    assert "请将身份证号列设为文本格式" in result.errors[0].message


def test_numeric_id_cell_is_refused_even_when_it_passes_the_check_digit():
    # An ID number stored as a number: its float value may still read back as a valid ID (here one
    # that is a multiple of 64, exact in a float), but the digits cannot be trusted.
    number = next(
        n for n in (f"46902419700101{s:03d}" + id_check_char(f"46902419700101{s:03d}") for s in range(1000))
        if n[-1] != "X" and int(n) % 64 == 0
    )
    assert str(int(float(number))) == number  # reads back as a valid ID number
    result = run_import([good_row(float(number), **{"村/居委会": ""})])
    assert [(e.row, e.column) for e in result.errors] == [(2, "身份证号")]
    assert "数字格式" in result.errors[0].message and "请将身份证号列设为文本格式" in result.errors[0].message
    assert not Person.objects.exists()


def test_ten_thousand_rows_import(clerk):
    result = run_import(valid_rows(10_000), by=clerk)
    assert result.ok, result.errors[:3]
    assert result.imported == 10_000
    assert Person.objects.count() == 10_000
    assert Person.history.count() == 10_000
    assert Person.objects.values("insured_no").distinct().count() == 10_000


def test_importing_the_same_file_twice_adds_nothing(clerk):
    data = valid_rows(5)
    assert run_import(data).imported == 5
    again = run_import(data)
    assert again.imported == 0
    assert [e.row for e in again.errors] == [2, 3, 4, 5, 6]
    assert all(e.message.startswith("已登记") for e in again.errors)
    assert Person.objects.count() == 5


def test_a_person_registered_between_the_check_and_the_insert_refuses_the_whole_file(clerk, monkeypatch):
    """The registry check misses a person registered meanwhile (patched here to see nothing): the
    database's unique ID number refuses the insert, and nothing of the file is saved."""
    from enrollment import resident_import

    data = valid_rows(5)
    assert run_import(data[2:3]).imported == 1
    monkeypatch.setattr(resident_import, "registry_conflicts", lambda rows: [])
    result = run_import(data, by=clerk)
    assert (result.imported, [(e.row, e.column, e.message) for e in result.errors]) == (
        0, [(2, "身份证号", "导入期间有人员被同时登记，未导入任何数据，请重新导入")],
    )  # fmt: skip
    assert Person.objects.count() == Person.history.count() == 1


# --- the command -------------------------------------------------------------------------------


def write(tmp_path, rows, name="residents.xlsx"):
    path = tmp_path / name
    path.write_bytes(workbook_bytes(rows))
    return path


def test_command_json_for_a_good_file(tmp_path, capsys):
    path = write(tmp_path, valid_rows(3))
    out = io.StringIO()
    call_command("import_residents", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"imported": 3, "errors": []}
    job = JobRun.objects.get()
    assert job.kind == "import_residents" and job.status == JobRun.Status.SUCCEEDED
    assert job.result == {"imported": 3, "errors": []}


def test_command_json_for_a_bad_file_exits_non_zero(tmp_path):
    rows = valid_rows(2)
    rows[1][3] = "加来镇"
    path = write(tmp_path, rows)
    out = io.StringIO()
    with pytest.raises(CommandError, match="导入失败：发现 1 处错误，未导入任何数据"):
        call_command("import_residents", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "imported": 0, "errors": [{"row": 3, "column": "镇/农场", "message": "未知的镇/农场“加来镇”"}],
    }  # fmt: skip
    assert not Person.objects.exists()
    job = JobRun.objects.get()
    assert job.status == JobRun.Status.FAILED and job.result["errors"][0]["row"] == 3


def test_command_exit_status_is_non_zero_on_refusal(tmp_path, capsys, monkeypatch):
    from django.core.management import execute_from_command_line
    from django.db import connections

    # run_from_argv closes every connection when it ends; keep the test's transaction open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    rows = valid_rows(1)
    rows[0][0] = rows[0][0][:17] + ("1" if rows[0][0][17] == "0" else "0")
    path = write(tmp_path, rows)
    with pytest.raises(SystemExit) as exc:  # what `manage.py import_residents ...` does
        execute_from_command_line(["manage.py", "import_residents", str(path), "--json"])
    assert exc.value.code != 0
    assert json.loads(capsys.readouterr().out)["errors"][0]["message"] == "身份证号校验位错误"
    assert not Person.objects.exists()


def test_command_human_output(tmp_path):
    out = io.StringIO()
    call_command("import_residents", str(write(tmp_path, valid_rows(2))), stdout=out)
    assert "已导入 2 名参保人员" in out.getvalue()


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_residents", str(tmp_path / "none.xlsx"))


# --- the upload page and the template ---------------------------------------------------------


def upload(client, rows, name="在册人员.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, workbook_bytes(rows))
    return client.post(reverse("enrollment:import_upload"), {"file": file})


def test_upload_page_runs_the_import_as_a_job(client, clerk, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, valid_rows(4))
    job = JobRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("org:import_result", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED and job.started_by == clerk
    assert job.params["filename"] == "在册人员.xlsx"
    assert Person.objects.count() == 4
    assert Person.history.first().history_user == clerk
    page = client.get(reverse("org:import_result", args=[job.pk])).content.decode()
    assert "已导入 4 名参保人员" in page
    assert "在册人员.xlsx" in client.get(reverse("enrollment:import_upload")).content.decode()


def test_upload_of_a_bad_file_lists_the_errors(client, clerk, django_capture_on_commit_callbacks):
    rows = valid_rows(3)
    rows[2][3] = "加来镇"
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, rows)
    job = JobRun.objects.get()
    assert job.status == JobRun.Status.FAILED
    page = client.get(reverse("org:import_result", args=[job.pk])).content.decode()
    assert "未导入任何数据" in page and "未知的镇/农场“加来镇”" in page and "<td>4</td>" in page
    assert not Person.objects.exists()


def test_refused_upload_lands_on_the_result_page_with_every_bad_row(client, clerk, django_capture_on_commit_callbacks):
    # 600 bad rows (more than the job page lists) and one good row: every bad row is on the result page
    # and in the downloadable list, and nothing is imported.
    rows = valid_rows(601)
    for row in rows[1:]:
        row[0] = row[0][:17] + ("0" if row[0][17] != "0" else "1")  # wrong check digit
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, rows)
    job = JobRun.objects.get()
    assert response["Location"] == reverse("org:import_result", args=[job.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "发现 600 处错误，未导入任何数据" in html
    assert html.count("<td>身份证号校验位错误</td>") == 600
    assert [e["row"] for e in page.context["errors"]] == list(range(3, 603))
    assert reverse("org:import_errors", args=[job.pk]) in html
    download = client.get(reverse("org:import_errors", args=[job.pk]))
    assert download.streaming  # written to a temporary file and sent in chunks, never held in memory
    sheet = load_workbook(io.BytesIO(download.getvalue())).worksheets[0]
    lines = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(lines) == 600 and lines[0] == (3, "身份证号", "身份证号校验位错误") and lines[-1][0] == 602
    assert not Person.objects.exists()


def test_result_page_of_a_running_import_shows_progress_and_reloads_itself(client, clerk):
    job = JobRun.objects.create(kind="import_residents", started_by=clerk, status=JobRun.Status.RUNNING,
                                params={"filename": "在册人员.xlsx"}, progress_done=2000, progress_total=10000)  # fmt: skip
    client.force_login(clerk)
    html = client.get(reverse("org:import_result", args=[job.pk])).content.decode()
    assert 'id="job"' in html and 'data-finished="0"' in html
    assert reverse("org:jobrun_progress", args=[job.pk]) in html and "2000/10000" in html
    assert "正在校验和导入" in html and "已导入" not in html


def test_result_page_of_a_crashed_import_shows_the_reason_without_the_traceback(client, clerk):
    job = JobRun.objects.create(kind="import_residents", started_by=clerk, status=JobRun.Status.FAILED,
                                params={"filename": "在册人员.xlsx"},
                                error="磁盘已满\nTraceback (most recent call last):\n  File ...")  # fmt: skip
    client.force_login(clerk)
    html = client.get(reverse("org:import_result", args=[job.pk])).content.decode()
    assert "导入未完成，未导入任何数据：磁盘已满" in html and "Traceback" not in html


def test_upload_must_be_a_spreadsheet(client, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(clerk)
    response = client.post(reverse("enrollment:import_upload"), {"file": SimpleUploadedFile("a.txt", b"x,y")})
    assert response.status_code == 200
    assert "请上传 Excel（.xlsx 或 97-2003 的 .xls）或 CSV 文件" in response.content.decode()
    assert not JobRun.objects.exists()


def test_template_has_the_exact_headers_and_no_data_rows(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("enrollment:import_template"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    wb = load_workbook(io.BytesIO(content))
    assert [c.value for c in wb.worksheets[0][1]] == HEADERS
    assert wb.sheetnames[1] == "填写说明"
    notes = {row[0]: row[1] for row in wb["填写说明"].iter_rows(values_only=True)}
    assert "须年满16周岁" in notes["参保日期"]  # from the enrollment parameters
    assert read_rows(io.BytesIO(content), HEADERS) == []


def test_result_page_of_an_import_run_from_the_command(client, clerk, tmp_path):
    call_command("import_residents", str(write(tmp_path, valid_rows(2))), stdout=io.StringIO())
    job = JobRun.objects.get()
    client.force_login(clerk)
    html = client.get(reverse("org:import_result", args=[job.pk])).content.decode()
    assert "已导入 2 名参保人员" in html and "命令行" in html
    assert reverse("org:import_result", args=[job.pk]) in client.get(reverse("enrollment:import_upload")).content.decode()
