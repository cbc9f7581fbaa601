"""A verified item starts the matching action through the benefits services, once."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from benefits.models import RecoveryCase
from benefits.services.death import death_approve
from supervision.models import SuspectItem
from supervision.services import suspects

from ..factories import PensionFactory
from .conftest import months, pay, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 6, 15), tick=False):
        yield


def _import(kind, headers, rows, by):
    _, outcome = suspects.suspect_list_import(kind=kind, file=xlsx(headers, rows), filename="x.xlsx", by=by)
    return outcome


def test_a_verified_paid_after_death_item_creates_exactly_one_recovery_case(auditor, clerk):
    pension = PensionFactory(start_month=date(2026, 1, 1))
    pay(pension, months(2026, 1, 5), basic="291.00", account="10.00")
    outcome = _import("deaths", ["身份证号", "姓名", "死亡日期"],
                      [[pension.person.id_number, pension.person.name, "2026-03-10"]], auditor)
    item = outcome.items[0]
    assert (item.kind, item.months, item.amount) == ("paid_after_death", ["2026-04", "2026-05"], Decimal("602.00"))
    item = suspects.suspect_verify(item=item, reason="民政死亡名单核实，家属代领", by=auditor)
    assert item.status == SuspectItem.Status.VERIFIED and "已登记死亡" in item.action
    with pytest.raises(ValidationError):
        suspects.suspect_verify(item=item, reason="again", by=auditor)
    # the rerun of the list adds nothing; the county approves the death (maker-checker: not the auditor)
    assert _import("deaths", ["身份证号", "姓名", "死亡日期"],
                   [[pension.person.id_number, pension.person.name, "2026-03-10"]], auditor).new_items == 0
    report = pension.person.death_reports.get()
    death_approve(report=report, by=clerk)
    cases = RecoveryCase.objects.filter(person=pension.person)
    assert cases.count() == 1
    case = cases.get()
    assert case.months == ["2026-04", "2026-05"] and case.amount == Decimal("582.00")  # basic part (R11)


def test_a_verified_duplicate_receipt_opens_one_recovery_case_for_the_overlap_basic_pension(auditor):
    pension = PensionFactory()
    pay(pension, months(2026, 1, 4))
    item = _import("employee_pensions", ["身份证号", "姓名", "职工养老金开始年月"],
                   [[pension.person.id_number, pension.person.name, "2026-03"]], auditor).items[0]
    suspects.suspect_verify(item=item, reason="社保局职工养老金数据核实", by=auditor)
    case = RecoveryCase.objects.get(person=pension.person)
    assert case.amount == Decimal("582.00") and case.months == ["2026-03", "2026-04"] and case.source == "supervision"


def test_a_dismissed_item_needs_a_reason_and_starts_nothing(auditor):
    pension = PensionFactory()
    pay(pension, months(2026, 1, 4))
    item = _import("employee_pensions", ["身份证号", "姓名", "职工养老金开始年月"],
                   [[pension.person.id_number, pension.person.name, "2026-03"]], auditor).items[0]
    with pytest.raises(ValidationError) as exc:
        suspects.suspect_dismiss(item=item, reason=" ", by=auditor)
    assert exc.value.message_dict == {"reason": ["排除疑点须写明理由"]}
    suspects.suspect_dismiss(item=item, reason="同名不同人", by=auditor)
    assert RecoveryCase.objects.count() == 0


def test_a_verified_imprisoned_pensioner_still_serving_gets_a_suspension_request(auditor, clerk):
    from benefits.models import SuspensionRequest
    from benefits.services.suspension import suspension_request_approve

    pension = PensionFactory()
    pay(pension, months(2026, 1, 5))
    item = _import("prison", ["身份证号", "姓名", "服刑开始日期", "服刑结束日期"],
                   [[pension.person.id_number, pension.person.name, "2026-03-05", ""]], auditor).items[0]
    assert item.months == ["2026-04", "2026-05"] and item.amount == Decimal("602.00")
    item = suspects.suspect_verify(item=item, reason="监狱管理局名单核实", by=auditor)
    request = SuspensionRequest.objects.get(pension=pension)
    assert request.reason_code == "1202" and request.month == date(2026, 4, 1)
    suspension_request_approve(request=request, by=clerk)
    case = RecoveryCase.objects.get(person=pension.person)
    assert case.amount == Decimal("602.00") and case.months == ["2026-04", "2026-05"]


def test_a_duplicate_receipt_case_leaves_out_what_a_decrease_case_already_recovers(auditor):
    """March and April paid 291.00 basic each (582.00 in the overlap from 2026-03); a decrease case
    (标准调整多发) already holds 10.00 of March: the duplicate receipt's case is 582.00 − 10.00 = 572.00."""
    from benefits.services.recovery import recovery_case_for_decrease

    pension = PensionFactory()
    pay(pension, months(2026, 1, 4))
    recovery_case_for_decrease(pension=pension, months=[(date(2026, 3, 1), Decimal("291.00"), Decimal("281.00"))],
                               by=None, changed_from=date(2026, 3, 1))
    item = _import("employee_pensions", ["身份证号", "姓名", "职工养老金开始年月"],
                   [[pension.person.id_number, pension.person.name, "2026-03"]], auditor).items[0]
    item = suspects.suspect_verify(item=item, reason="社保局职工养老金数据核实", by=auditor)
    case = RecoveryCase.objects.get(person=pension.person, source="supervision")
    assert (case.amount, case.months) == (Decimal("572.00"), ["2026-03", "2026-04"])
    assert "已立案追回 572.00 元" in item.action and "已扣除标准调整多发案件已立案的 10.00 元" in case.reason
