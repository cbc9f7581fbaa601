"""Demo data for supervision, made through the real services so an auditor logging in sees a
year's plan (with its special inspections and a spot check), an inspection in progress with its
work records, one whose report is past the 10 days (the daily job deems it agreed), suspicious
items to verify (a death list matched against the payroll and the scan of the system's own data),
a data request answered by a town, a 举报, and the training and guidance of the town centres.
Run again, it adds nothing (it stops when the plan of the year exists)."""

import io
import random
from datetime import timedelta

from django.utils import timezone
from openpyxl import Workbook

from benefits.models import PayrollLine
from linggao_pension.org.models import Town, User
from linggao_pension.workflow import RS, review_move

from .models import SupervisionPlan
from .services import offsite, penalties, plans, suspects, training, whistle
from .services.onsite import finding_add, work_record_add

ALL_SCOPE = ["1", "2", "3", "4"]


def seed(*, rng: random.Random, residents: int, stdout) -> dict:
    auditor = User.objects.filter(username="auditor").first()
    clerk = User.objects.filter(username="clerk").first()
    agent = User.objects.filter(username="agent_lc").first()
    if auditor is None:
        return {}
    today = timezone.localdate()
    year = (today - timedelta(days=60)).year
    if SupervisionPlan.objects.filter(year=year).exists():
        return {"plan": "已存在"}
    towns = list(Town.objects.filter(is_active=True).order_by("sort_order"))
    lincheng = next((t for t in towns if t.name == "临城镇"), towns[0])
    plan = plans.plan_create(year=year, title=f"{year}年度参保人员信息监督检查计划", by=auditor,
                             goals="全县专项检查3次，结合举报与非现场监督情况不定期抽查。")  # fmt: skip
    start = today - timedelta(days=40)
    specials = [("参保登记信息专项检查", ["2", "4"]), ("待遇领取资格专项检查", ["1", "3"]),
                ("保费征缴与收支专项检查", ["2", "3"])]  # fmt: skip
    for n, (title, scope) in enumerate(specials):
        item_start = start + timedelta(days=n * 15)
        plans.plan_item_add(plan=plan, kind="special", title=title, objects_text="各镇、农场参保业务经办机构",
                            scope=scope, team_leader="周明", team_members="李建国、黄丽华", start=item_start,
                            end=item_start + timedelta(days=10), towns=towns[:3], by=auditor)  # fmt: skip
    plans.plan_item_add(plan=plan, kind="spot", title="临城镇待遇发放不定期抽查", objects_text="临城镇社保中心",
                        scope=ALL_SCOPE, team_leader="周明", start=today + timedelta(days=10),
                        end=today + timedelta(days=12), towns=[lincheng], by=auditor)  # fmt: skip
    first = plan.items.order_by("start").first().inspections.order_by("pk")
    # one in progress with work records, one whose report is past the 10 days
    working, overdue = first[0], first[1]
    for inspection in (working, overdue):
        plans.inspection_programme_save(inspection=inspection, programme="查阅参保登记与待遇发放资料，抽查原始档案，听取汇报。",
                                        start=today - timedelta(days=25), end=today + timedelta(days=5), by=auditor)
        plans.inspection_notify(inspection=inspection, on=today - timedelta(days=32), by=auditor,
                                text="定于下周开始现场监督，请准备参保登记原始资料和待遇发放台账。")
        plans.inspection_start(inspection=inspection, on=today - timedelta(days=25), by=auditor)
    work_record_add(inspection=working, kind="consulted", on_date=today - timedelta(days=25), by=auditor,
                    documents="2024-2025 年参保登记表 120 份；待遇发放台账 2 册")
    work_record_add(inspection=working, kind="sealed", on_date=today - timedelta(days=24), by=auditor,
                    documents="待遇领取资格认证表 36 份", seal_place="县局档案室 3 号柜", seal_keeper="周明")
    work_record_add(inspection=working, kind="interview", on_date=today - timedelta(days=24), by=auditor,
                    interviewee="王小梅", interviewee_role=f"{working.town.name}社保中心经办员", place="镇社保中心",
                    recorder="黄丽华", content="问：认证表由谁收集？\n答：由村委会协助收集后交镇中心录入。")
    finding_add(inspection=working, scope=working.scope[0], by=auditor, persons_involved=3,
                description="3 名领取人认证表无本人签字，由村干部代签。")
    # a 行政处理处罚意见 submitted by the auditor, awaiting a bureau leader's approval (manager's 待办)
    proposal = penalties.penalty_create(inspection=working, by=auditor, data={
        "subject": f"{working.town.name}居民陈某", "facts": "其父死亡后未申报，继续冒领养老金6个月，计1806.00元。",
        "proposal": "责令退回冒领金额，并依照社会保险法第八十八条处冒领金额2倍罚款。"})  # fmt: skip
    review_move(record=proposal, to=RS.TOWN_APPROVED, by=auditor)
    plans.inspection_send_report(inspection=overdue, on=today - timedelta(days=15), by=auditor,
                                 text="经检查，该镇参保登记资料基本齐全，存在个别信息未及时更新的问题。")
    summary = {"plan_items": plan.items.count(), "inspections": sum(i.inspections.count() for i in plan.items.all())}
    summary["suspects"] = _suspects(rng=rng, auditor=auditor, today=today)
    request = offsite.data_request_create(kind="regular", town=lincheng, purpose="季度待遇领取人员数据报送",
                                          scope="本季度新增、停发、死亡的待遇领取人员明细", by=auditor,
                                          deadline=today + timedelta(days=10))  # fmt: skip
    if agent is not None:
        wb = Workbook()
        wb.active.append(["身份证号", "姓名", "变动类型"])
        wb.active.append(["469024195001010011", "示例", "死亡"])
        buffer = io.BytesIO()
        wb.save(buffer)
        buffer.seek(0)
        buffer.name = "季度报送.xlsx"
        offsite.submission_upload(request=request, file=buffer, by=agent, note="按通知要求报送")
    whistle.report_register(received_on=today - timedelta(days=3), channel="phone", town=lincheng, by=auditor,
                            content="反映某村一名老人已去世半年，家属仍在领取养老金。")  # fmt: skip
    trainer = clerk or auditor
    training.training_record(held_on=today - timedelta(days=50), topic="城乡居民养老保险经办业务培训", trainer="李建国",
                             place="县局会议室", attendance={t: rng.randint(2, 4) for t in towns}, by=trainer)
    training.visit_record(town=lincheng, kind="guidance", visited_on=today - timedelta(days=20), visitors="李建国",
                          notes="指导待遇领取资格认证工作。", problems="认证台账未按月更新。", by=trainer)
    stdout.write(f"监督检查：年度计划 1 个，检查项目 {summary['plan_items']} 个，疑点 {summary['suspects']} 条。\n")
    return summary


def _suspects(*, rng: random.Random, auditor, today) -> int:
    """A death list naming a few paid pensioners two months before their last paid month."""
    paid = list(PayrollLine.objects.filter(status=PayrollLine.Status.PAID).select_related("person")
                .order_by("-month", "pk")[:400])  # fmt: skip
    people = {}
    for line in paid:
        people.setdefault(line.person_id, line)
    chosen = rng.sample(list(people.values()), min(3, len(people)))
    count = 0
    if chosen:
        wb = Workbook()
        wb.active.append(["身份证号", "姓名", "死亡日期"])
        for line in chosen:
            wb.active.append([line.person.id_number, line.person.name, (line.month - timedelta(days=20)).isoformat()])
        buffer = io.BytesIO()
        wb.save(buffer)
        buffer.seek(0)
        _, outcome = suspects.suspect_list_import(kind="deaths", file=buffer, filename="民政死亡人员名单.xlsx",
                                                  by=auditor, today=today)  # fmt: skip
        count += outcome.new_items
    count += suspects.system_scan(by=auditor, today=today).new_items
    return count
