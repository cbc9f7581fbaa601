"""The yearly plan: 3-5 county-wide special inspections (三(1)①) and spot checks."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linggao_pension.org.models import Town
from supervision.models import Inspection, PlanItem, SupervisionPlan
from supervision.services import plans

pytestmark = pytest.mark.django_db


def _special(plan, by, n, towns):
    return plans.plan_item_add(plan=plan, kind="special", title=f"专项检查{n}", objects_text="各镇、农场经办机构",
                               scope=["2"], team_leader="周明", start=date(2026, n, 1), end=date(2026, n, 10),
                               towns=towns, by=by)


def test_the_plan_warns_outside_3_to_5_special_inspections(auditor):
    towns = list(Town.objects.all()[:2])
    plan = plans.plan_create(year=2026, title="2026年度监督计划", by=auditor)
    assert plans.plan_warnings(plan=plan) == ["2026 年度计划只有 0 次全县专项检查，制度要求每年定期组织 3-5 次"]
    for n in (1, 2):
        _special(plan, auditor, n, towns)
    plans.plan_item_add(plan=plan, kind="spot", title="抽查", objects_text="临城镇", scope=["1"], team_leader="周明",
                        start=date(2026, 6, 1), end=date(2026, 6, 2), towns=towns[:1], by=auditor)
    assert "只有 2 次" in plans.plan_warnings(plan=plan)[0]  # a spot check is not a special inspection
    for n in (3, 4, 5):
        _special(plan, auditor, n, towns)
        assert plans.plan_warnings(plan=plan) == []
    _special(plan, auditor, 6, towns)
    assert plans.plan_warnings(plan=plan) == ["2026 年度计划有 6 次全县专项检查，超过制度规定的每年 3-5 次"]


def test_a_special_inspection_makes_one_inspection_per_town_with_its_scope_team_and_dates(auditor):
    towns = list(Town.objects.all()[:3])
    plan = plans.plan_create(year=2026, title="计划", by=auditor)
    item = _special(plan, auditor, 4, towns)
    inspections = list(item.inspections.order_by("pk"))
    assert [i.town for i in inspections] == towns
    assert all(i.scope == ["2"] and i.team_leader == "周明" and i.planned_start == date(2026, 4, 1)
               and i.status == Inspection.Status.PLANNED for i in inspections)
    assert len({i.number for i in inspections}) == 3


def test_bad_plan_input_is_refused_at_the_field_and_nothing_saved(auditor, agent):
    plan = plans.plan_create(year=2026, title="计划", by=auditor)
    with pytest.raises(ValidationError) as exc:
        plans.plan_item_add(plan=plan, kind="special", title="x", objects_text="y", scope=[], team_leader="周明",
                            start=date(2026, 1, 1), end=date(2026, 1, 2), towns=Town.objects.all()[:1], by=auditor)
    assert exc.value.message_dict == {"scope": ["请至少选择一项监督内容"]}
    with pytest.raises(ValidationError) as exc:
        plans.plan_item_add(plan=plan, kind="special", title="x", objects_text="y", scope=["5"], team_leader="周明",
                            start=date(2026, 1, 1), end=date(2026, 1, 2), towns=Town.objects.all()[:1], by=auditor)
    assert exc.value.message_dict == {"scope": ["监督内容只能是二（1）-（4）"]}
    with pytest.raises(ValidationError) as exc:
        plans.plan_item_add(plan=plan, kind="spot", title="x", objects_text="y", scope=["1"], team_leader="周明",
                            start=date(2027, 1, 1), end=date(2027, 1, 2), towns=Town.objects.all()[:1], by=auditor)
    assert exc.value.message_dict == {"start": ["开始日期应在计划年度 2026 年内"]}
    with pytest.raises(ValidationError):
        plans.plan_create(year=2026, title="again", by=auditor)
    with pytest.raises(PermissionDenied):
        plans.plan_create(year=2027, title="x", by=agent)
    assert PlanItem.objects.count() == 0 and Inspection.objects.count() == 0
    assert SupervisionPlan.objects.count() == 1
