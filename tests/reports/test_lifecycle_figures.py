"""The monthly report's 资格认证 and 待遇追回 groups (report month 2026-03, cycle 12 months), from
records made through benefits' services, by the pensioner's town."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from benefits.models import Pension
from benefits.services import certification, recovery, suspension
from tests.factories import PensionFactory, PersonFactory

from .conftest import MARCH
from .test_figures import _rows

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def on(y, m, d, hour=10):
    return time_machine.travel(datetime(y, m, d, hour, tzinfo=SHANGHAI), tick=False)


@pytest.mark.django_db
def test_certification_figures(county, town, other_town, agent, clerk):
    due = PensionFactory(person__town=town, start_month=date(2024, 1, 1), last_certified_on=date(2025, 3, 10))
    certification.certification_record(pension=due, certified_on=date(2026, 3, 12), method="face", by=agent)
    certification.certification_record(pension=due, certified_on=date(2026, 3, 20), method="onsite", by=agent)
    PensionFactory(person__town=town, start_month=date(2024, 1, 1), last_certified_on=date(2025, 4, 2))  # April
    PensionFactory(person__town=town, start_month=date(2024, 1, 1), last_certified_on=date(2025, 3, 5),
                   status=Pension.Status.STOPPED, last_month=date(2026, 2, 1))  # stopped before March
    overdue = PensionFactory(person__town=other_town, start_month=date(2024, 1, 1), last_certified_on=date(2025, 1, 20))
    resumed = PensionFactory(person__town=other_town, start_month=date(2024, 1, 1), last_certified_on=date(2024, 12, 1))
    with transaction.atomic():
        suspension.suspension_open(pension=overdue, reason_code="1201", start_month=MARCH, by=clerk, backpay=True)
        s = suspension.suspension_open(pension=resumed, reason_code="1201", start_month=date(2026, 1, 1), by=clerk,
                                       backpay=True)
        suspension.suspension_end(suspension=s, resume_month=MARCH, by=clerk, note="通过领取资格认证")
        # a 1202 (服刑) suspension is not a certification figure
        other = PensionFactory(person__town=other_town, start_month=date(2024, 1, 1), last_certified_on=date(2026, 1, 9))
        suspension.suspension_open(pension=other, reason_code="1202", start_month=MARCH, by=clerk, backpay=False)

    _, towns, total = _rows()
    lc, bl = towns["临城镇"], towns["波莲镇"]
    # due: certified twice in March, counted once; it was due on 10 March whatever it did then
    assert (lc["本月应认证"], lc["本月已认证"], lc["未认证暂停"], lc["认证后恢复"]) == (1, 1, 0, 0)
    assert (bl["本月应认证"], bl["本月已认证"], bl["未认证暂停"], bl["认证后恢复"]) == (0, 0, 1, 1)
    assert (total["本月应认证"], total["本月已认证"], total["未认证暂停"], total["认证后恢复"]) == (1, 1, 1, 1)
    # April: the second pension falls due, the first is not due again until 2027
    _, april, _ = _rows(month=date(2026, 4, 1))
    assert april["临城镇"]["本月应认证"] == 1 and april["临城镇"]["本月已认证"] == 0


@pytest.mark.django_db
def test_recovery_figures(county, town, other_town, clerk, auditor, manager):
    here, there = PersonFactory(town=town), PersonFactory(town=other_town)
    with on(2026, 2, 10):  # a February case: instalments agreed, 50 repaid in February
        older = recovery.recovery_case_open(person=here, source="report", amount=D("200.00"), by=clerk, reason="举报")
        recovery.recovery_verify(case=older, by=clerk)
        recovery.recovery_notify(case=older, by=clerk, repay_by=date(2026, 3, 10))
        recovery.recovery_instalments_set(case=older, count=2, first_due=date(2026, 3, 31), by=clerk)
        recovery.recovery_repay(case=older, amount=D("50.00"), on=date(2026, 2, 10), by=clerk)
    with on(2026, 3, 20):
        new = recovery.recovery_case_open(person=here, source="wrong_payment", amount=D("300.00"), by=clerk,
                                          reason="误发")
        recovery.recovery_verify(case=new, by=clerk)
        recovery.recovery_repay(case=new, amount=D("100.00"), on=date(2026, 3, 20), by=clerk)
        recovery.recovery_repay(case=older, amount=D("25.50"), on=date(2026, 3, 20), by=clerk)
        lost = recovery.recovery_case_open(person=there, source="death", amount=D("80.00"), by=auditor,
                                           reason="死亡后多发，无继承人")
        recovery.recovery_write_off_request(case=lost, by=auditor, reason="无继承人、无遗产")
        recovery.recovery_write_off_approve(case=lost, by=manager)
    with on(2026, 4, 5):  # after the report month: not in March's figures
        recovery.recovery_repay(case=new, amount=D("10.00"), on=date(2026, 4, 5), by=clerk)

    _, towns, total = _rows()
    lc, bl = towns["临城镇"], towns["波莲镇"]
    assert (lc["本月新立案"], lc["本月立案金额"], lc["本月追回金额"], lc["累计追回金额"]) == (
        1, D("300.00"), D("125.50"), D("175.50"))
    assert (lc["分期协议数"], lc["核销金额"]) == (1, D("0.00"))
    assert (bl["本月新立案"], bl["本月立案金额"], bl["本月追回金额"], bl["核销金额"]) == (1, D("80.00"), D("0.00"), D("80.00"))
    assert (total["本月新立案"], total["本月立案金额"], total["累计追回金额"], total["核销金额"]) == (
        2, D("380.00"), D("175.50"), D("80.00"))
    _, feb, _ = _rows(month=date(2026, 2, 1))
    assert (feb["临城镇"]["本月新立案"], feb["临城镇"]["本月追回金额"], feb["临城镇"]["分期协议数"]) == (1, D("50.00"), 1)
