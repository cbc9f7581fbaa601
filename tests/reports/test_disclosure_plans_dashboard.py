"""Village disclosure (R20), work plans and summaries (duty 8), and the managers' dashboard."""

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from reports.models import SummaryProgress, WorkPlan, WorkSummary
from reports.services import workplans
from reports.services.statistical import report_build
from tests.factories import PensionFactory, VillageFactory

from .conftest import MARCH


def _text(content: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_disclosure_lists_a_villages_pensioners_without_id_or_account(client, town, agent):
    village = VillageFactory(town=town, name="美鳌村")
    pension = PensionFactory(person__town=town, person__village=village, person__name="符阿婆",
                             first_payroll_month=date(2026, 3, 1))
    client.force_login(agent)
    with time_machine.travel(date(2026, 3, 20)):
        response = client.post(reverse("reports:disclosure"), {"town": town.pk, "as_of": "2026-03-20"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "美鳌村" in text and "符阿婆" in text and "301.00" in text and "新增" in text
    assert pension.person.id_number not in text and pension.person.id_number[:6] + "19" not in text
    assert pension.person.bank_account not in text


@pytest.mark.django_db
def test_agent_cannot_print_another_towns_disclosure(client, other_town, agent):
    client.force_login(agent)
    response = client.post(reverse("reports:disclosure"), {"town": other_town.pk, "as_of": "2026-03-20"})
    assert response.status_code == 400
    assert "请选择您可以打印的镇/农场" in response.content.decode()


@pytest.mark.django_db
def test_summary_takes_actual_values_from_the_filed_report(county, manager):
    plan = workplans.workplan_create(year=2026, title="2026年度工作计划", by=manager)
    target = workplans.plan_target_add(plan=plan, section="business", title="缴费人数", indicator="本年缴费人数",
                                       target_value=Decimal("4"), owner="李建国", by=manager)
    free = workplans.plan_target_add(plan=plan, section="audit", title="专项检查4次", owner="周明", by=manager)
    report_build(kind="monthly", month=MARCH, by=manager)
    summary = workplans.work_summary_create(plan=plan, period="quarterly", month=MARCH, text="一季度", by=manager)
    progress = {p.target_id: p for p in SummaryProgress.objects.filter(summary=summary)}
    assert progress[target.pk].actual_value == Decimal("2") and progress[target.pk].percent == 50
    assert progress[free.pk].actual_value is None


@pytest.mark.django_db
@pytest.mark.parametrize("period, month, field, message", [
    ("quarterly", date(2026, 2, 1), "month", "季度总结的截至月份应为 3、6、9 或 12 月"),
    ("year_end", date(2026, 12, 1), "improvements", "年终总结须写明存在问题与改进措施"),
    ("monthly", date(2025, 3, 1), "month", "总结月份应在计划年度 2026 年内"),
])
def test_summary_refusals_save_nothing(manager, period, month, field, message):
    from django.core.exceptions import ValidationError

    plan = workplans.workplan_create(year=2026, title="计划", by=manager)
    with pytest.raises(ValidationError) as exc:
        workplans.work_summary_create(plan=plan, period=period, month=month, text="x", by=manager)
    assert exc.value.message_dict[field] == [message]
    assert not WorkSummary.objects.exists()


@pytest.mark.django_db
def test_summary_needs_the_months_report_for_tied_targets(client, manager):
    plan = workplans.workplan_create(year=2026, title="计划", by=manager)
    workplans.plan_target_add(plan=plan, section="business", title="t", indicator="参保人数",
                              target_value=Decimal("1"), owner="x", by=manager)
    client.force_login(manager)
    with time_machine.travel(date(2026, 4, 10)):
        response = client.post(reverse("reports:summary_create", args=[plan.pk]),
                               {"period": "monthly", "month": "2026-03", "text": "三月"})
    assert response.status_code == 400
    assert "2026年03月统计月报尚未生成" in response.content.decode()
    assert not WorkSummary.objects.exists()


@pytest.mark.django_db
def test_a_second_plan_for_a_year_is_refused_at_the_field(client, manager):
    client.force_login(manager)
    client.post(reverse("reports:workplan_create"), {"year": 2026, "title": "一"})
    response = client.post(reverse("reports:workplan_create"), {"year": 2026, "title": "二"})
    assert response.status_code == 400 and "2026 年度工作计划已制定" in response.content.decode()
    assert WorkPlan.objects.count() == 1


@pytest.mark.django_db
def test_dashboard_shows_key_figures_trend_and_coverage(client, county, manager, django_assert_max_num_queries):
    report_build(kind="monthly", month=MARCH, by=manager)
    client.force_login(manager)
    with time_machine.travel(date(2026, 4, 10)), django_assert_max_num_queries(15):
        response = client.get(reverse("reports:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "参保人数" in html and "较上月" in html and "<svg" in html
    assert "临城镇" in html  # coverage by town from March's report
    assert "11 个月的统计月报尚未生成" in html
