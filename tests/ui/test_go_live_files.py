"""Go-live files as they come: 15-digit first-generation IDs converted (and said so), CSV in
GB18030 or UTF-8 and .xlsx read by the one reading function."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from enrollment import services
from enrollment.models import EnrollmentApplication, Person
from enrollment.resident_import import HEADERS
from enrollment.rules import id_check_char, id_number_upgrade
from linggao_pension.imports import FileFormatError, read_rows, sheet_rows
from tests.enrollment.xlsx import workbook_bytes

from .html import doc, field_group, text

pytestmark = pytest.mark.django_db

OLD = "460028600405123"  # born 1960-04-05, sequence 123 (odd: male)
NEW = "46002819600405123" + id_check_char("46002819600405123")


def test_15_digit_id_gets_century_19_and_the_check_character():
    assert id_number_upgrade(OLD) == NEW
    # GB 11643's worked example: 340524800101001 -> 34052419800101001X
    assert id_number_upgrade("340524800101001") == "34052419800101001X"
    assert id_number_upgrade("46002819600405123X") is None and id_number_upgrade("12345") is None


def _row(id_number):
    return [id_number, "李秀兰", "黎族", "临城镇", "", "13800138000", "农村", "临高县临城镇美鳌村5号", "021",
            "2014-07-01", "海南农信", "6217000012345678"]  # fmt: skip


def test_import_converts_a_15_digit_id_and_warns_on_its_row(clerk):
    result = services.residents_import(file=io.BytesIO(workbook_bytes([_row(OLD)])), by=clerk)
    assert result.ok and result.imported == 1
    assert Person.objects.get().id_number == NEW
    [warning] = result.warnings
    assert (warning.row, warning.column) == (2, "身份证号")
    assert OLD in warning.message and NEW in warning.message and "15位" in warning.message


def test_import_of_a_15_digit_id_typed_as_a_number_is_converted_too(clerk):
    result = services.residents_import(file=io.BytesIO(workbook_bytes([_row(int(OLD))])), by=clerk)
    assert result.ok and Person.objects.get().id_number == NEW and len(result.warnings) == 1


def test_form_shows_the_converted_id_at_the_field_and_saves_only_when_sent_again(client, agent, town):
    client.force_login(agent)
    data = {"id_number": OLD, "name": "李秀兰", "ethnicity": "01", "hukou_type": "20", "hukou_address": "临城镇美鳌村5号",
            "phone": "13800138000", "town": town.pk, "identity": "011", "bank_name": "海南农信",
            "bank_account": "6217000012345678", "applied_on": "2026-11-02"}  # fmt: skip
    page = doc(client.post(reverse("enrollment:application_create"), data))
    group = field_group(page, "id_number")
    assert NEW in text(group.xpath('.//ul[@class="errorlist"]')[0]) and "15位" in text(group)
    assert group.xpath(".//input")[0].get("value") == NEW
    assert not EnrollmentApplication.objects.exists()
    response = client.post(reverse("enrollment:application_create"), {**data, "id_number": NEW})
    assert response.status_code == 302 and EnrollmentApplication.objects.get().id_number == NEW


def _csv(rows, encoding: str) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode(encoding))


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_gb18030_or_utf8_imports(clerk, encoding):
    new_id = "46002819851001002" + id_check_char("46002819851001002")
    result = services.residents_import(file=_csv([_row(new_id)], encoding), by=clerk)
    assert result.ok and result.imported == 1
    person = Person.objects.get()
    assert (person.name, person.town.name, person.enrolled_on) == ("李秀兰", "临城镇", date(2014, 7, 1))


def test_xlsx_and_csv_read_the_same_rows():
    rows = [_row(NEW)]
    from_xlsx = read_rows(io.BytesIO(workbook_bytes(rows)), HEADERS)
    from_csv = read_rows(_csv(rows, "gb18030"), HEADERS)
    assert [r.values["姓名"] for r in from_xlsx] == [r.values["姓名"] for r in from_csv] == ["李秀兰"]
    assert from_csv[0].values["身份证号"] == NEW


def test_an_unreadable_file_is_refused_in_chinese():
    with pytest.raises(FileFormatError, match="无法读取文件：请上传 Excel"):
        sheet_rows(io.BytesIO(b"\x00\x01binary\x00"))
