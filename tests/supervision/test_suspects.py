"""疑点核查: each kind of item found from a small list, with its exact months and amounts; a rerun
adds nothing; the system's own data (shared accounts, centenarians not certified)."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from benefits.models import PayrollLine, Pension
from contributions.models import AccountEntry
from enrollment.models import Person
from supervision.models import SuspectItem, SuspectList
from supervision.services import suspects

from ..factories import PensionFactory, PersonFactory
from .conftest import months, pay, xlsx

pytestmark = pytest.mark.django_db
DEATHS = ["身份证号", "姓名", "死亡日期"]
EMPLOYEE = ["身份证号", "姓名", "职工养老金开始年月"]
PRISON = ["身份证号", "姓名", "服刑开始日期", "服刑结束日期"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 6, 15), tick=False):
        yield


def _run(kind, path, *args):
    out = io.StringIO()
    call_command("import_suspect_list", "--kind", kind, str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def _file(tmp_path, headers, rows, name="list.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx(headers, rows).getvalue())
    return path


def test_deaths_list_finds_paid_after_death_pensioner_died_and_contributor_died(tmp_path, auditor):
    paid = PensionFactory()
    pay(paid, months(2026, 1, 5))  # Jan-May paid
    quiet = PensionFactory()  # died, nothing paid after
    pay(quiet, months(2026, 1, 3))
    contributor = PersonFactory()
    AccountEntry.objects.create(person=contributor, source="personal", kind="credit", amount=Decimal("1234.56"),
                                entry_date=date(2020, 5, 1), year=2020)
    path = _file(tmp_path, DEATHS, [
        [paid.person.id_number, paid.person.name, "2026-02-20"],
        [quiet.person.id_number, quiet.person.name, "2026-03-02"],
        [contributor.id_number, contributor.name, "2026-04-01"],
        ["11010519491231002X", "名单外", "2026-01-01"],
    ])  # fmt: skip
    data = _run("deaths", path, "--by", auditor.username)
    assert (data["rows"], data["matched"], data["new_items"]) == (4, 3, 3)
    by_id = {i["id_number"]: i for i in data["items"]}
    assert by_id[paid.person.id_number] == {"id_number": paid.person.id_number, "kind": "paid_after_death",
                                            "months": ["2026-03", "2026-04", "2026-05"], "amount": "903.00"}
    assert by_id[quiet.person.id_number] == {"id_number": quiet.person.id_number, "kind": "pensioner_died",
                                             "months": [], "amount": None}
    assert by_id[contributor.id_number] == {"id_number": contributor.id_number, "kind": "contributor_died",
                                            "months": [], "amount": "1234.56"}
    item = SuspectItem.objects.get(person=paid.person)
    assert item.basic_amount == Decimal("873.00") and item.status == SuspectItem.Status.OPEN
    # the same list again: nothing new, the same items reported
    again = _run("deaths", path)
    assert (again["rows"], again["matched"], again["new_items"]) == (4, 3, 0)
    assert sorted(again["items"], key=str) == sorted(data["items"], key=str)
    assert SuspectItem.objects.count() == 3 and SuspectList.objects.count() == 2


def test_failed_and_death_month_payments_are_not_overpaid(tmp_path):
    pension = PensionFactory()
    pay(pension, months(2026, 1, 3))  # the death month (March) is payable
    pay(pension, [date(2026, 4, 1)], status=PayrollLine.Status.FAILED)
    path = _file(tmp_path, DEATHS, [[pension.person.id_number, pension.person.name, "2026-03-31"]])
    data = _run("deaths", path)
    assert data["items"] == [{"id_number": pension.person.id_number, "kind": "pensioner_died", "months": [],
                              "amount": None}]


def test_employee_pensions_list_finds_the_overlap_months(tmp_path):
    pension = PensionFactory()
    pay(pension, months(2026, 1, 5), basic="291.00", account="10.00")
    pay(pension, [date(2026, 2, 1)], basic="20.00", account="0.00", kind=PayrollLine.Kind.ARREARS)  # 补发
    other = PensionFactory()
    pay(other, months(2026, 1, 2))
    path = _file(tmp_path, EMPLOYEE, [
        [pension.person.id_number, pension.person.name, "2026-02"],
        [other.person.id_number, other.person.name, "2026-03"],  # starts after the last paid month
    ])  # fmt: skip
    data = _run("employee_pensions", path)
    assert (data["matched"], data["new_items"]) == (2, 1)
    assert data["items"] == [{"id_number": pension.person.id_number, "kind": "duplicate_employee",
                              "months": ["2026-02", "2026-03", "2026-04", "2026-05"], "amount": "1224.00"}]
    assert SuspectItem.objects.get().basic_amount == Decimal("1184.00")
    assert _run("employee_pensions", path)["new_items"] == 0


def test_prison_list_finds_the_months_paid_during_the_sentence(tmp_path):
    served = PensionFactory()
    pay(served, months(2026, 1, 5))
    serving = PensionFactory()
    pay(serving, months(2026, 1, 2))
    path = _file(tmp_path, PRISON, [
        [served.person.id_number, served.person.name, "2026-01-10", "2026-03-31"],
        [serving.person.id_number, serving.person.name, "2026-02-01", ""],
    ])  # fmt: skip
    data = _run("prison", path)
    by_id = {i["id_number"]: i for i in data["items"]}
    assert by_id[served.person.id_number] == {"id_number": served.person.id_number, "kind": "imprisoned",
                                              "months": ["2026-02", "2026-03"], "amount": "602.00"}
    # still serving: no month paid after February's start yet, but the pension must be suspended
    assert by_id[serving.person.id_number] == {"id_number": serving.person.id_number, "kind": "imprisoned",
                                               "months": [], "amount": "0.00"}
    assert _run("prison", path)["new_items"] == 0


def test_a_bad_row_imports_nothing_and_lists_every_error(tmp_path, capsys):
    pension = PensionFactory()
    path = _file(tmp_path, DEATHS, [
        [pension.person.id_number, pension.person.name, "2026-02-30"],
        ["123", "某人", "2026-01-01"],
        [pension.person.id_number, "", "2027-01-01"],
    ])  # fmt: skip
    out = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_suspect_list", "--kind", "deaths", str(path), "--json", stdout=out)
    errors = json.loads(out.getvalue())["errors"]
    assert {"row": 2, "column": "死亡日期", "message": "“2026-02-30”不是有效的日期，应为 2024-03-15 格式"} in errors
    assert {"row": 3, "column": "身份证号", "message": "身份证号应为18位（当前3位）"} in errors
    assert {"row": 4, "column": "姓名", "message": "不能为空"} in errors
    assert SuspectItem.objects.count() == 0 and SuspectList.objects.count() == 0


def test_wrong_headers_are_refused(tmp_path):
    path = _file(tmp_path, ["身份证号", "姓名"], [["x", "y"]])
    with pytest.raises(CommandError):
        _run("deaths", path)
    assert SuspectList.objects.count() == 0


def test_system_scan_finds_shared_accounts_and_centenarians_not_certified(auditor):
    a = PensionFactory(person__bank_account="6217000000001111")
    b = PensionFactory(person__bank_account="6217000000001111")
    PensionFactory(person__bank_account="6217000000002222")
    old_person = PersonFactory(birth_date=date(1925, 3, 1), status=Person.Status.RECEIVING)
    old = PensionFactory(person=old_person, last_certified_on=date(2025, 6, 14))
    certified_person = PersonFactory(birth_date=date(1925, 3, 1), status=Person.Status.RECEIVING)
    PensionFactory(person=certified_person, last_certified_on=date(2025, 6, 15))  # exactly a year: fine
    young_person = PersonFactory(birth_date=date(1926, 6, 16), status=Person.Status.RECEIVING)  # 99
    PensionFactory(person=young_person, last_certified_on=date(2024, 1, 1))
    outcome = suspects.system_scan(by=auditor)
    got = {(i.kind, i.person_id) for i in outcome.items}
    assert got == {("shared_account", a.person_id), ("shared_account", b.person_id),
                   ("over_100_uncertified", old.person_id)}
    assert outcome.new_items == 3
    assert suspects.system_scan(by=auditor).new_items == 0
    assert SuspectItem.objects.count() == 3
    assert Pension.objects.count() == 6
