"""The go-live import of people already receiving (import_pensioners), all or nothing."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from benefits import services
from benefits.models import PayrollLine, Pension
from contributions.models import AccountEntry, EntryKind, Source
from enrollment.models import Person
from tests.factories import PensionFactory, PersonFactory

from .conftest import at, credit, xlsx

pytestmark = pytest.mark.django_db
D = Decimal
HEADERS = services.PENSIONER_HEADERS


@pytest.fixture
def registered(town, poster):
    """Two registered people with ledgers: the first holds 1,200 (personal 1,000 + province 200), the
    second 2,000 (personal 1,500 + province 500)."""
    low = PersonFactory(birth_date=date(1955, 5, 5), town=town)
    credit(low, "1000.00", date(2015, 6, 1), by=poster)
    credit(low, "200.00", date(2015, 6, 1), by=poster, source=Source.PROVINCE)
    high = PersonFactory(birth_date=date(1950, 8, 8), town=town)
    credit(high, "1500.00", date(2015, 6, 1), by=poster)
    credit(high, "500.00", date(2015, 6, 1), by=poster, source=Source.PROVINCE)
    return low, high


def rows_for(low, high):
    return [
        # basic 291 = the 2026 standard (163 + 128): no warning
        [low.id_number, "2015-06", "291.00", "10.79", "1500.00", "海南农信", "6217000011112222", "2025-11-20"],
        # basic 271 differs from the standard of March 2026: a warning, not an error
        [high.id_number, "2010-09", 271, 7.19, 1000, "中国邮政储蓄银行", "6221000033334444", None],
    ]


def test_import_brings_the_ledger_to_the_legacy_balance(registered, clerk):
    low, high = registered
    with at(2026, 3, 10):
        result = services.pensioners_import(file=xlsx(HEADERS, rows_for(low, high)), by=clerk)
    assert result.errors == []
    assert result.imported == 2
    assert [(w.row, w.column) for w in result.warnings] == [(3, "基础养老金")]
    assert "271.00 元与2026年03月标准 291.00 元不一致" in result.warnings[0].message

    a = Pension.objects.get(person=low)
    assert (a.source, a.start_month, a.first_payroll_month, a.balance_on) == (
        Pension.Source.IMPORTED, date(2015, 6, 1), date(2026, 3, 1), date(2026, 3, 10))
    assert (a.account_balance, a.account_pension, a.basic_pension, a.last_certified_on) == (
        D("1500.00"), D("10.79"), D("291.00"), date(2025, 11, 20))
    # the ledger held 300 less: credited to 个人缴费
    assert a.balance_by_source == {"personal": "1300.00", "province": "200.00"}
    entry = AccountEntry.objects.get(person=low, memo__startswith="系统迁移")
    assert (entry.source, entry.kind, entry.amount, entry.entry_date) == (
        Source.PERSONAL, EntryKind.CREDIT, D("300.00"), date(2026, 3, 10))

    b = Pension.objects.get(person=high)
    # the ledger held 1,000 more (legacy drawdowns): drawn pro rata — province keeps round(500 × 1000 / 2000) = 250
    assert b.balance_by_source == {"personal": "750.00", "province": "250.00"}
    assert b.last_certified_on == date(2026, 3, 10)  # blank: the import date
    assert sorted(AccountEntry.objects.filter(person=high, kind=EntryKind.PENSION).values_list("source", "amount")) == [
        (Source.PERSONAL, D("-750.00")), (Source.PROVINCE, D("-250.00")),
    ]
    for person, bank in ((low, "6217000011112222"), (high, "6221000033334444")):
        person.refresh_from_db()
        assert person.status == Person.Status.RECEIVING
        assert person.bank_account == bank
        assert person.history.get(status=Person.Status.RECEIVING).history_user == clerk
    assert sum(AccountEntry.objects.filter(person=high).values_list("amount", flat=True)) == D("1000.00")


def test_imported_pensioners_are_paid_from_the_import_month_at_the_standard(registered, clerk, finance):
    low, high = registered
    with at(2026, 3, 10):
        services.pensioners_import(file=xlsx(HEADERS, rows_for(low, high)), by=clerk)
    with at(2026, 3, 20):
        result = services.payroll_generate(month=date(2026, 3, 1), by=finance)
    # 291 + 10.79 and 291 (the standard, not the legacy 271) + 7.19
    assert result == {"lines": 2, "total": "599.98", "created": 2, "suspended": 0, "backpay_lines": 0}
    assert set(PayrollLine.objects.values_list("month", flat=True)) == {date(2026, 3, 1)}


def test_a_bad_file_imports_nothing_and_names_every_bad_row(registered, clerk, town):
    low, high = registered
    receiving = PensionFactory(person__town=town).person
    rows = [
        [low.id_number, "2015-13", "291", "10", "1500", "海南农信", "6217000011112222", ""],
        ["469024195001010000", "2015-06", "291", "10", "1500", "海南农信", "6217000011112222", ""],
        [receiving.id_number, "2015-06", "291", "10", "1500", "海南农信", "6217000011112222", ""],
        [high.id_number, "2015-06", "-1", "abc", "1000", "", "12ab", "2099-01-01"],
        [high.id_number, "2015-06", "291", "7", "1000", "海南农信", "6217000011112222", ""],
    ]
    with at(2026, 3, 10):
        result = services.pensioners_import(file=xlsx(HEADERS, rows), by=clerk)
    assert result.imported == 0
    errors = {(e.row, e.column, e.message) for e in result.errors}
    assert (2, "待遇开始年月", "“2015-13”不是有效的年月，应为 YYYY-MM 格式，如 2026-03") in errors
    assert (3, "身份证号", "未找到该参保人，请先完成参保登记（或导入历史参保人员）") in errors
    assert (4, "身份证号", "参保人当前状态为“待遇领取”，不能导入为待遇领取人员") in errors
    assert (5, "基础养老金", "金额不能为负数") in errors
    assert (5, "个人账户养老金", "“abc”不是有效的金额") in errors
    assert (5, "银行名称", "不能为空") in errors
    assert (5, "银行账号", "银行账号应为 8 至 32 位数字") in errors
    assert (5, "最近认证日期", "不能晚于今天") in errors
    assert (6, "身份证号", "与第 5 行重复") in errors
    assert result.warnings == []
    assert Pension.objects.count() == 1  # the factory's
    assert not AccountEntry.objects.filter(memo__startswith="系统迁移").exists()
    low.refresh_from_db()
    assert low.status == Person.Status.CONTRIBUTING


def test_wrong_headers_are_one_clear_error(clerk):
    result = services.pensioners_import(file=xlsx(["身份证号", "姓名"], [["1", "2"]]), by=clerk)
    assert result.imported == 0
    assert result.errors[0].message.startswith("表头不正确：应为“身份证号、待遇开始年月、基础养老金")


def test_command_prints_the_json_and_exits_non_zero_on_errors(registered, tmp_path):
    low, high = registered
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(HEADERS, rows_for(low, high)).getvalue())
    out = StringIO()
    with at(2026, 3, 10):
        call_command("import_pensioners", str(good), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["imported"], data["errors"]) == (2, [])
    assert [(w["row"], w["column"]) for w in data["warnings"]] == [(3, "基础养老金")]
    assert Pension.objects.get(person=low).decided_by is None  # from the command line, no user
    out = StringIO()
    with at(2026, 3, 11), pytest.raises(CommandError):
        call_command("import_pensioners", str(good), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["imported"] == 0
    assert {e["message"] for e in data["errors"]} == {"参保人当前状态为“待遇领取”，不能导入为待遇领取人员"}
