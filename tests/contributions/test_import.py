"""The bank collection file: all-or-nothing, every bad row named, imported rows confirmed and credited."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from contributions import services
from contributions.models import AccountEntry, Receipt
from enrollment.models import Person
from linggao_pension.imports import FileFormatError
from tests.factories import PersonFactory, ReceiptFactory

from .conftest import ledger

pytestmark = pytest.mark.django_db
HEADERS = ["身份证号", "缴费年度", "缴费档次", "缴费日期", "缴费方式", "票据号"]


def xlsx(rows, headers=HEADERS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_good_file_imports_confirmed_receipts_and_credits_at_once(june_2026, clerk, town):
    a, b = PersonFactory(town=town), PersonFactory(town=town)
    result = services.receipts_import(
        file=xlsx([
            (a.id_number, 2026, 200, "2026-03-15", "2", "B001"),
            (b.id_number.lower(), 2025, 500, date(2026, 1, 20), "银行代收", "B002"),  # a back-payment
        ]),
        by=clerk,
    )  # fmt: skip
    assert result.as_dict() == {"imported": 2, "errors": []}
    ra, rb = Receipt.objects.get(receipt_no="B001"), Receipt.objects.get(receipt_no="B002")
    assert ra.status == rb.status == Receipt.Status.CONFIRMED
    assert ra.method == Receipt.Method.BANK and ra.confirmed_by == clerk and not ra.legacy
    assert ledger(a) == [("personal", "200.00", "2026-03-15", 2026), ("province", "30.00", "2026-03-15", 2026)]
    assert ledger(b) == [("personal", "500.00", "2026-01-20", 2025)]  # 补缴: no subsidy


def test_bad_file_imports_nothing_and_names_every_bad_row(june_2026, clerk, town):
    ok = PersonFactory(town=town)
    paid = PersonFactory(town=town)
    ReceiptFactory(person=paid, year=2026, receipt_no="OLD1")
    stopped = PersonFactory(town=town, status=Person.Status.TERMINATED)
    twice = PersonFactory(town=town)
    rows = [
        (ok.id_number, 2026, 200, "2026-03-15", "2", "N1"),  # row 2: fine
        ("469024199001011234", 2026, 200, "2026-03-15", "2", "N2"),  # row 3: unknown person
        (stopped.id_number, 2026, 200, "2026-03-15", "2", "N3"),  # row 4: not contributing
        (ok.id_number, 2025, 250, "2026-03-15", "2", "N4"),  # row 5: grade not offered
        (paid.id_number, 2026, 200, "2026-03-15", "2", "N5"),  # row 6: already paid 2026 (DB)
        (twice.id_number, 2024, 200, "2024-03-15", "2", "N6"),  # row 7: fine
        (twice.id_number, 2024, 300, "2024-04-15", "2", "N7"),  # row 8: same year twice in the file
        (twice.id_number, 2023, 200, "2023-04-15", "2", "OLD1"),  # row 9: receipt number in DB
        (twice.id_number, 2022, 200, "2022-04-15", "2", "N1"),  # row 10: receipt number twice in the file
        (twice.id_number, 2021, 200, "2026-07-01", "2", "N10"),  # row 11: date in the future
        (twice.id_number, "", 200, "2021-07-01", "9", ""),  # row 12: empty year, bad method, no number
    ]
    result = services.receipts_import(file=xlsx(rows), by=clerk)
    assert result.imported == 0
    got = [(e.row, e.column, e.message) for e in result.errors]
    assert got == [
        (3, "身份证号", "未找到身份证号为 469024199001011234 的参保人"),
        (4, "身份证号", "该参保人当前状态为“终止参保”，不是正常参保缴费人员，不能缴费"),
        (5, "缴费档次", "2025 年度没有 250 元档次（可选：100、200、300、400、500、600、700、800、900、1000、1500、2000）"),
        (6, "缴费年度", "2026 年度已有缴费记录（票据号 OLD1）"),
        (8, "缴费年度", "与第 7 行重复：同一人同一年度只能缴费一次"),
        (9, "票据号", "票据号 OLD1 已存在"),
        (10, "票据号", "票据号与第 2 行重复"),
        (11, "缴费日期", "缴费日期不能晚于今天"),
        (12, "缴费年度", "不能为空"),
        (12, "缴费方式", "应为 2（银行代收）或 3（经办机构自收）"),
        (12, "票据号", "不能为空"),
    ]
    assert Receipt.objects.count() == 1  # only the one made above
    assert not AccountEntry.objects.exists()


def test_wrong_headers_are_refused(clerk):
    with pytest.raises(FileFormatError) as exc:
        services.receipts_import(file=xlsx([], headers=["身份证号", "年度"]), by=clerk)
    assert "表头不正确" in str(exc.value)


def test_legacy_file_is_credited_and_counted_but_never_remitted(june_2026, clerk, finance, town):
    person = PersonFactory(town=town)
    services.receipts_import(
        file=xlsx([(person.id_number, 2015, 100, "2015-05-05", "3", "L1"), (person.id_number, 2016, 100, "2016-05-05", "3", "L2")]),
        by=clerk, legacy=True,
    )  # fmt: skip
    assert set(Receipt.objects.values_list("legacy", flat=True)) == {True}
    from contributions import selectors

    assert selectors.counted_years(person=person, before=date(2026, 1, 1)) == [2015, 2016]
    assert selectors.balance(person=person) == Decimal("260.00")
    assert services.remittance_generate(month=date(2026, 5, 1), by=finance) == {"created": 0, "receipts": 0, "total": "0.00"}


def test_command_prints_json_and_exits_non_zero_on_errors(june_2026, tmp_path, capsys, town):
    person = PersonFactory(town=town)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([(person.id_number, 2026, 250, "2026-03-15", "2", "C1")]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_contributions", str(bad), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] == 0 and out["errors"][0]["row"] == 2 and out["errors"][0]["column"] == "缴费档次"
    assert not Receipt.objects.exists()

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([(person.id_number, 2026, 300, "2026-03-15", "2", "C1")]).getvalue())
    call_command("import_contributions", str(good), "--json", "--legacy")
    assert json.loads(capsys.readouterr().out) == {"imported": 1, "errors": []}
    assert Receipt.objects.get().legacy is True


def test_agent_may_not_import(agent):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.receipts_import(file=xlsx([]), by=agent)
