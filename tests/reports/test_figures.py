"""Every figure of both reports on the hand-made county of conftest.py, and the reconciliations."""

from datetime import date
from decimal import Decimal

import pytest

from reports.figures import complete_row, figures_of, reconcile, total_row
from reports.services.statistical import report_compute, report_json

from .conftest import MARCH

D = Decimal


def _rows(kind="monthly", month=MARCH):
    groups, towns, total = report_compute(kind=kind, month=month)
    by_town = {t["town"]: t for t in towns}
    return groups, by_town, total


@pytest.mark.django_db
def test_coverage_figures(county):
    _, towns, total = _rows()
    lc, bl = towns["临城镇"], towns["波莲镇"]
    assert (lc["参保人数"], lc["缴费人员"], lc["领取人数"], lc["暂停领取人数"], lc["本月新增参保"]) == (3, 2, 1, 0, 1)
    assert (lc["本月终止（死亡）"], lc["本月终止（其他）"], lc["本月转出"]) == (1, 0, 0)
    assert (bl["参保人数"], bl["缴费人员"], bl["领取人数"], bl["暂停领取人数"]) == (2, 1, 0, 1)
    assert (bl["本月终止（其他）"], bl["本月转出"], bl["本月转入"]) == (1, 1, 0)
    assert total["参保人数"] == 5 and total["本月终止（死亡）"] == 1
    assert towns["东英镇"]["参保人数"] == 0


@pytest.mark.django_db
def test_contribution_figures_year_to_date(county):
    _, towns, total = _rows()
    lc, bl = towns["临城镇"], towns["波莲镇"]
    assert lc["本年缴费人数"] == 2  # A and B; D's receipt is voided
    assert (lc["500元档人数"], lc["200元档人数"], lc["100元档人数"]) == (1, 1, 0)
    assert (lc["个人缴费"], lc["省级财政补贴"], lc["政府代缴"], lc["本年缴费合计"]) == (D("700.00"), D("90.00"), D("100.00"), D("890.00"))
    assert (lc["代缴人数"], lc["代缴金额"]) == (1, D("100.00"))
    assert bl["本年缴费人数"] == 0 and bl["个人缴费"] == D("0.00")  # E paid only in April
    assert total["本年缴费合计"] == D("890.00")


@pytest.mark.django_db
def test_benefit_figures_equal_the_payroll(county):
    _, towns, total = _rows()
    lc, bl = towns["临城镇"], towns["波莲镇"]
    assert (lc["本月新增领取"], lc["应发人数"], lc["实发人数"], lc["支付失败笔数"]) == (1, 1, 1, 0)
    assert (lc["实发基础养老金"], lc["实发个人账户养老金"], lc["实发金额"], lc["人均待遇"]) == (
        D("291.00"), D("10.00"), D("301.00"), D("301.00"))
    assert (bl["应发人数"], bl["实发人数"], bl["支付失败笔数"], bl["实发金额"], bl["人均待遇"]) == (1, 0, 1, D("0.00"), D("0.00"))
    assert total["实发金额"] == D("301.00") and total["人均待遇"] == D("301.00")


@pytest.mark.django_db
def test_fund_figures_and_balance(county):
    _, towns, total = _rows()
    lc, bl = towns["临城镇"], towns["波莲镇"]
    assert lc["期初余额"] == D("870.00")  # 300 + 10 interest + 500 + 60 before March
    assert (lc["个人缴费收入"], lc["政府补贴收入"], lc["政府代缴收入"], lc["基础养老金补助收入"]) == (
        D("200.00"), D("30.00"), D("100.00"), D("291.00"))
    assert (lc["收入合计"], lc["基础养老金支出"], lc["个人账户养老金支出"], lc["支出合计"]) == (
        D("621.00"), D("291.00"), D("10.00"), D("301.00"))
    assert lc["期末余额"] == D("1190.00")
    assert lc["上缴财政专户"] == D("200.00")
    assert (bl["期初余额"], bl["转移支出"], bl["收入合计"], bl["期末余额"]) == (D("350.00"), D("150.00"), D("0.00"), D("200.00"))
    assert (total["期初余额"], total["期末余额"]) == (D("1220.00"), D("1390.00"))


@pytest.mark.django_db
def test_fund_report_year_to_date(county):
    _, towns, total = _rows("fund")
    lc = towns["临城镇"]
    assert lc["本年收入累计"] == D("1181.00")  # February 560 + March 621
    assert lc["本年支出累计"] == D("301.00")
    assert lc["本年上缴财政专户累计"] == D("200.00")
    assert total["期末余额"] == total["期初余额"] + total["收入合计"] - total["支出合计"]


@pytest.mark.django_db
def test_next_month_opens_with_this_months_closing(county):
    _, march, _ = _rows()
    _, april, _ = _rows(month=date(2026, 4, 1))
    for town in ("临城镇", "波莲镇"):
        assert april[town]["期初余额"] == march[town]["期末余额"]


@pytest.mark.django_db
def test_json_form_has_the_issue_keys_and_amounts_as_strings(county):
    groups, towns, total = report_compute(kind="monthly", month=MARCH)
    data = report_json(month=MARCH, groups=groups, towns=towns, total=total)
    assert set(data) == {"month", "towns", "total"} and data["month"] == "2026-03"
    lc = next(t for t in data["towns"] if t["town"] == "临城镇")
    assert lc["实发金额"] == "301.00" and lc["参保人数"] == 3
    assert data["total"]["期末余额"] == "1390.00"
    assert len(data["towns"]) == 12


def test_reconcile_finds_a_total_that_is_not_the_sum():
    from reports.figures import fund_groups

    figs = figures_of(fund_groups())
    towns = [{"town": "甲", **complete_row({"期初余额": D("1"), "收入合计": D("2"), "期末余额": D("3")}, figs)}]
    total = total_row(towns, figs)
    assert reconcile(towns, total, figs) == []
    total["收入合计"] += D("0.01")
    problems = reconcile(towns, total, figs)
    assert "收入合计：各镇合计与全县不符" in problems
    assert any("期末余额" in p for p in problems)
