"""Demo data for archives: policies, scans on a few people with a volume and an overdue loan,
certificates, registers and consultations of the last months. Re-running adds nothing twice."""

import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enrollment.models import Person
from linggao_pension.exports import render_pdf
from linggao_pension.org.models import User

from . import services
from .models import (
    Certificate,
    Consultation,
    ConsultationService,
    Document,
    DocumentType,
    Loan,
    PolicyDocument,
    Register,
    RegisterEntry,
)

POLICIES = [
    ("policy", "国务院关于建立统一的城乡居民基本养老保险制度的意见", "国发〔2014〕8号", "国务院", date(2014, 2, 21),
     "合并新农保和城居保，建立统一的城乡居民基本养老保险制度：参保范围、缴费档次、政府补贴、个人账户、待遇计发（个人账户储存额÷139）、转移接续与基金管理。"),
    ("policy", "城乡居民基本养老保险经办规程", "人社部发〔2014〕23号", "人力资源社会保障部", date(2014, 3, 24),
     "参保登记、保险费收缴、个人账户建立和管理、待遇支付、关系转移接续、稽核与内控的经办流程。"),
    ("policy", "临高县城乡居民基本养老保险暂行办法", "", "临高县人民政府", date(2014, 9, 1),
     "本县参保范围、缴费档次与补贴标准、待遇领取条件、镇/农场与县局的经办职责。"),
    ("notice", "关于做好本年度城乡居民养老保险费征缴工作的通知", "", "临高县城乡居民社会养老保险局", date(2026, 1, 10),
     "各镇、农场社保服务点即日起受理本年度保费缴纳，请村（居）委会协助宣传，年底前完成征缴。"),
    ("interpretation", "长缴多得、多缴多得政策解读", "", "临高县城乡居民社会养老保险局", date(2026, 3, 1),
     "缴费年限超过15年的，每多缴一年加发基础养老金；选择较高档次缴费的，政府补贴更多，个人账户积累更多。"),
]

QUESTIONS = {
    1: [("今年最低缴多少？能不能一次交几年？", "今年可选各档次，补缴以前年度不享受补贴。"), ("外出打工还能在老家交吗？", "可以，户籍在本县即可在户籍地镇服务点缴费。")],
    2: [("老农保的钱怎么并入新账户？", "持老农保缴费凭证到业务股特殊业务部门办理个账并入。")],
    3: [("被征地了，补助什么时候到账？", "经县局审核后记入个人账户，可在对账单查看。")],
    4: [("原辞退民办教师的待遇怎么申请？", "携带辞退证明和身份证到业务股特殊业务部门申请。")],
    5: [("重度残疾人是否由政府代缴？", "符合条件的由政府按最低档代缴，请携带残疾证到镇服务点登记。")],
    6: [("家里老人去世后还发了两个月养老金，怎么退？", "")],
}
CHANNELS = ["phone", "phone", "phone", "visit", "visit", "online"]


def _scan_pdf(title: str) -> bytes:
    return render_pdf("archives/demo_scan_pdf.html", {"title": title})


def seed(*, rng: random.Random, residents: int, stdout) -> dict:
    clerk = User.objects.filter(username="clerk").first()
    clerk2 = User.objects.filter(username="clerk2").first()
    agent = User.objects.filter(username="agent_lc").first()
    if clerk is None or agent is None:
        return {"skipped": "没有演示用户"}
    today = timezone.localdate()
    summary = {"policies": _policies(clerk), "documents": _documents(rng, agent, clerk, today)}
    summary["certificates"] = _certificates(clerk)
    summary["registers"] = _registers(clerk, clerk2)
    summary["consultations"] = _consultations(rng, agent, clerk, today)
    stdout.write(
        f"电子档案 {Document.objects.count()} 件（借出未还 {Loan.objects.filter(returned_on__isnull=True).count()}）；"
        f"证明 {Certificate.objects.count()} 份；咨询 {Consultation.objects.count()} 条；政策文件 {PolicyDocument.objects.count()} 件。\n"
    )
    return summary


def _policies(by) -> int:
    created = 0
    for kind, title, doc_no, body, issued_on, summary in POLICIES:
        if not PolicyDocument.objects.filter(title=title).exists():
            services.policy_create(kind=kind, title=title, doc_no=doc_no, issuing_body=body, issued_on=issued_on,
                                   summary=summary, by=by)
            created += 1
    return created


def _documents(rng, agent, clerk, today) -> int:
    if Document.objects.exists():
        return 0
    people = list(Person.objects.filter(town=agent.town).order_by("pk")[:6])
    types = {t.code: t for t in DocumentType.objects.all()}
    scan = _scan_pdf("参保登记表（扫描件·演示）")
    created = []
    for person in people:
        for code in ("enroll_form", "id_copy"):
            doc_type = types[code]
            created.append(services.document_upload(
                record_label="enrollment.person", record_id=person.pk, doc_type=doc_type, by=agent,
                title=f"{person.name} {doc_type.name}", upload=SimpleUploadedFile("scan.pdf", scan),
                custody_location=f"县局档案室 {today.year} 年参保登记 第 1 盒",
            ))
    if created:
        volume = services.volume_create(year=today.year, category="CB", title=f"{today.year}年{agent.town.name}参保登记材料",
                                        by=clerk, custody_location="县局档案室 A 柜 3 层")
        services.volume_add_documents(volume=volume, archive_nos=[d.archive_no for d in created], by=clerk)
        services.loan_create(document=created[0], borrower="周明", borrower_unit="稽核股", purpose="参保人员信息专项检查调阅",
                             lent_on=today - timedelta(days=20), due_on=today - timedelta(days=5), by=clerk)
        services.loan_create(document=created[2], borrower="黄丽华", borrower_unit="业务股", purpose="核对参保日期",
                             lent_on=today - timedelta(days=2), due_on=today + timedelta(days=5), by=clerk)
    return len(created)


def _certificates(clerk) -> int:
    if Certificate.objects.exists():
        return 0
    made = 0
    contributor = Person.objects.filter(status=Person.Status.CONTRIBUTING, account_entries__isnull=False).order_by("pk").first()
    pensioner = Person.objects.filter(pension__payroll_lines__status="paid").order_by("pk").first()
    for person, kind, purpose in ((contributor, "contribution", "子女入学"), (pensioner, "benefit", "银行贷款")):
        if person is not None:
            services.certificate_issue(person=person, kind=kind, by=clerk, purpose=purpose)
            made += 1
    return made


def _registers(clerk, clerk2) -> int:
    if RegisterEntry.objects.exclude(action=RegisterEntry.Action.ISSUED).exists() or clerk2 is None:
        return 0
    register = Register.objects.get(code="statistics_report")
    made = services.register_entry_record(register=register, action="made", reference="城乡居民养老保险月报（上月）", by=clerk)
    services.register_entry_record(register=register, action="reviewed", reference=made.reference, reviews=made, by=clerk2)
    services.register_entry_record(register=register, action="kept", reference=made.reference, by=clerk,
                                   custody_location="县局档案室 B 柜")
    cards = Register.objects.get(code="social_security_card")
    services.register_entry_record(register=cards, action="issued", reference="社保卡批次 2026-01", quantity=120, by=clerk,
                                   note="发放至各镇服务点")
    return 4


def _consultations(rng, agent, clerk, today) -> int:
    if Consultation.objects.exists():
        return 0
    services_ = {s.number: s for s in ConsultationService.objects.all()}
    people = list(Person.objects.filter(town=agent.town).order_by("pk")[:40])
    made = 0
    for i in range(36):
        number = rng.choice([1, 1, 1, 2, 3, 4, 5, 6])
        question, answer = rng.choice(QUESTIONS[number])
        by = agent if i % 2 else clerk
        person = rng.choice(people) if people and by == agent and rng.random() < 0.6 else None
        pending = not answer or i % 9 == 0
        c = services.consultation_record(
            service=services_[number], channel=rng.choice(CHANNELS), question=question, answer=answer, by=by, person=person,
            caller_name="" if person else rng.choice(["陈先生", "王女士", "符大爷", "李阿姨"]),
            referred_to="稽核股" if number == 6 else "", follow_up_due=today if pending else None,
        )
        days_ago = rng.randint(0, 330) if not pending else rng.randint(0, 3)
        Consultation.objects.filter(pk=c.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        made += 1
    return made
