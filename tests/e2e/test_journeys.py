"""The issue's journeys in a real browser, each across the roles that really do it."""

import pytest

from enrollment.models import Person
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_enrollment(journey, agent, clerk, town):
    """1. A town agent enrolls a resident (a wrong ID first: the error is seen at the field), the
    county clerk approves, the person appears in the registry with a masked ID."""
    from datetime import date

    good_id = make_id_number(date(1980, 5, 17), "1")
    page = journey.login(agent)
    journey.shot(page, "agent-home")
    page.click("nav >> text=参保登记申请")
    page.click("text=新增参保登记申请")
    page.fill("input[name=id_number]", good_id[:17] + ("0" if good_id[17] != "0" else "1"))
    page.fill("input[name=name]", "符海生")
    page.fill("input[name=hukou_address]", "海南省临高县临城镇美鳌村12号")
    page.fill("input[name=phone]", "13800138000")
    page.fill("input[name=bank_name]", "海南农信")
    page.fill("input[name=bank_account]", "6217000012345678")
    page.click("button:has-text('保存')")
    group = page.locator("div.field[data-field=id_number]")
    assert "身份证号校验位错误" in group.locator(".errorlist").inner_text()
    group.scroll_into_view_if_needed()
    journey.shot(page, "wrong-id-error-at-the-field")
    page.fill("input[name=id_number]", good_id)
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=镇初审通过，提交县局")
    page.click("button:has-text('镇初审通过，提交县局')")
    page.wait_for_selector("text=镇初审通过")
    journey.shot(page, "submitted-to-county")

    page = journey.login(clerk)
    page.click("nav >> text=参保登记申请")
    page.locator("table tbody tr", has_text="符海生").locator("a").first.click()
    journey.shot(page, "clerk-opens-application")
    page.click("button:has-text('县复核通过')")
    page.wait_for_selector(".msg")
    journey.shot(page, "clerk-approved")
    person = Person.objects.get(id_number=good_id)
    page.click("nav >> text=参保人员")
    page.fill("input[name=name]", "符海生")
    page.click("button:has-text('查询')")
    row = page.locator("table tbody tr", has_text="符海生")
    masked = good_id[:6] + "********" + good_id[-4:]
    assert masked in row.inner_text() and good_id not in page.content()
    assert person.insured_no in row.inner_text()
    journey.shot(page, "registry-masked-id")


def test_premium_receipt_confirmation(journey, agent, finance, town):
    """2. The agent records a premium and prints the receipt; finance confirms (select-all); the
    account shows the credit and the subsidy."""
    from tests.factories import PersonFactory

    person = PersonFactory(town=town, age=40, name="王秀英")
    page = journey.login(agent)
    page.click("nav >> text=登记缴费")
    page.fill("input[name=q]", person.id_number)
    page.click("button:has-text('查找')")
    page.wait_for_selector("text=缴费信息")
    page.select_option("select[name=grade]", index=2)
    grade = page.locator("select[name=grade] option:checked").inner_text()
    journey.shot(page, "agent-records-premium")
    page.click("button:has-text('登记并生成票据')")
    page.wait_for_selector("text=打印票据（PDF）")
    journey.shot(page, "receipt-page")
    pdf = page.request.get(journey.base_url + page.locator("a:has-text('打印票据（PDF）')").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    page = journey.login(finance)
    page.click("nav >> text=缴费票据")
    journey.shot(page, "finance-receipts")
    page.check("input[data-select-all=receipt]")
    boxes = page.locator("input[name=receipt]")
    assert boxes.count() >= 1 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    journey.shot(page, "finance-selects-all")
    page.click("button:has-text('确认所选票据')")
    page.wait_for_selector(".msg")
    journey.shot(page, "finance-confirmed")
    page.goto(journey.base_url + f"/contributions/accounts/{person.pk}/")
    body = page.locator("main").inner_text()
    amount = grade.replace(" 元", "").strip()
    assert f"{float(amount):,.2f}" in body  # 个人缴费 credited
    assert "省级财政补贴" in body and "30.00" in body  # the grade's subsidy (below 500: 30 元)
    journey.shot(page, "account-credit-and-subsidy", full_page=True)


# --- helpers for journeys 3-6 ---------------------------------------------------------------------------

def _pinned(day):
    """The app's clock at 10:00 on `day` (Asia/Shanghai), still ticking: the server thread, the services
    and the pages all see it (time_machine patches the process clock); the browser keeps its own."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)


def _money(value):
    """A cell of a downloaded workbook as 元 (openpyxl reads the Decimal written as a number)."""
    from decimal import Decimal

    return Decimal(str(value)).quantize(Decimal("0.01"))


def _bank_file_lines(content: bytes):
    """(amount of each line, the totals row's amount, the heading's 金额合计) of a bank file."""
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "流水号")
    col = rows[header].index("金额")
    body = rows[header + 1:]
    lines = [_money(r[col]) for r in body if isinstance(r[0], int)]
    totals = [_money(r[col]) for r in body if isinstance(r[0], str) and r[0].startswith("合计")]
    heading = next(str(r[0]) for r in rows[:header] if r and str(r[0]).startswith("金额合计"))
    return lines, totals, heading.split("：", 1)[1]


def test_claim_determination_payroll_bank_file(journey, agent, clerk, finance, finance2, town):
    """3. A resident reaching 60 (born 1966-11-20, 临城镇, enrolled at the scheme start 2011-07-01, so
    15 years required) is claimed by the town agent from the 到龄名单, determined by the county clerk
    (the 养老金计算表 PDF downloads), paid in the December payroll (finance generates, a second finance
    user reviews, the first exports) and the bank file downloads with the right total.

    The app's clock is 2026-12-10 (the benefit starts 2026-12, the month after the birthday month).
      2011-2025  个人缴费 300 a year (1 June)        15 × 300 = 4,500.00
      2011-2025  省级财政补贴 30 a year              15 × 30  =   450.00
    Contribution years before 2026-12-01: 15 (= required). Opening balance of 2026 = 4,950.00; 2026 has
    no rate yet, so 2025's 1.50%: interim interest = round(4,950.00 × 1.50% × (12 − 1) / 12, 2) =
    round(68.0625) = 68.06. Account at 2026-12-01 = 5,018.06; account pension = round(5,018.06 / 139, 2)
    = round(36.1011…) = 36.10. Basic pension 2026-12 = central 163.00 + Hainan 128.00 = 291.00.
    Monthly pension = 291.00 + 36.10 = 327.10 — the one line of December, the bank file's total."""
    from datetime import date
    from decimal import Decimal

    from benefits.models import PayrollRun, Pension
    from contributions.models import Source
    from contributions.selectors import interim_rate
    from contributions.services import account_post
    from tests.factories import PersonFactory

    person = PersonFactory(town=town, name="陈美兰", birth_date=date(1966, 11, 20), enrolled_on=date(2011, 7, 1),
                           bank_name="海南农信", bank_account="6217000011112222")
    for year in range(2011, 2026):
        for source, amount in ((Source.PERSONAL, "300.00"), (Source.PROVINCE, "30.00")):
            account_post(person=person, source=source, kind="credit", amount=Decimal(amount), year=year,
                         entry_date=date(year, 6, 1), by=clerk, memo="历年缴费")
    assert interim_rate(2026) == Decimal("0.0150")  # the hand figures' premise: 2026 falls back to 2025's rate

    with _pinned(date(2026, 12, 10)):
        # the town agent: 到龄名单 of November (the birthday month) → 申报 → the claim form, prefilled
        page = journey.login(agent)
        page.click("nav >> text=到龄名单")
        page.fill("input[name=month]", "2026-11")
        page.click("button:has-text('查询')")
        row = page.locator("table tbody tr", has_text="陈美兰")
        assert "2026年12月" in row.inner_text() and "符合" in row.inner_text()
        journey.shot(page, "agent-due-list")
        row.locator("a:has-text('申报')").click()
        assert page.input_value("input[name=id_number]") == person.id_number
        page.fill("textarea[name=opinion]", "已核对身份证、户口簿和社保卡")
        journey.shot(page, "agent-claim-form")
        page.click("button:has-text('提交（镇初审通过）')")
        page.wait_for_selector(".msg")
        assert "已提交陈美兰的待遇申领" in page.locator(".messages").inner_text()
        journey.shot(page, "agent-claim-submitted")

        # the county clerk: the claim list → the claim page with the figures → 县核定 → the sheet
        page = journey.login(clerk)
        page.click("nav >> text=待遇申领")
        page.locator("table tbody tr", has_text="陈美兰").locator("a").first.click()
        body = page.locator("main").inner_text()
        for figure in ("4,950.00", "68.06", "5,018.06", "36.10", "291.00", "327.10"):
            assert figure in body, figure
        journey.shot(page, "clerk-claim-calculation", full_page=True)
        page.fill("textarea[name=opinion]", "符合领取条件，同意")
        page.click("button:has-text('县核定')")
        page.wait_for_selector("text=已核定：月养老金 327.10 元")
        journey.shot(page, "clerk-determined")
        sheet = journey.fetch(page, page.locator("a:has-text('打印养老金计算表（PDF）')"))
        assert sheet.headers["content-type"] == "application/pdf" and sheet.body()[:4] == b"%PDF"
        sheet_text = _pdf_text(sheet.body())
        assert "327.10" in sheet_text and "5,018.06" in sheet_text
        pension = Pension.objects.get(person=person)
        assert (pension.account_pension, pension.basic_pension, pension.monthly_pension) == (
            Decimal("36.10"), Decimal("291.00"), Decimal("327.10"))

        # finance: generate December's payroll (the month offered is the current one)
        page = journey.login(finance)
        page.click("nav >> text=月度发放")
        assert page.input_value("input[name=month]") == "2026-12"
        page.click("button:has-text('生成发放明细')")
        page.wait_for_selector("[data-job-status]:has-text('已完成')")
        journey.shot(page, "finance-payroll-job")
        page.click("[data-record-link]")
        page.wait_for_selector("text=须由另一名财务人员复核")
        assert "327.10" in page.locator("main").inner_text()
        journey.shot(page, "finance-payroll-generated", full_page=True)
        payroll_url = page.url

        # a second finance user reviews
        reviewer = journey.login(finance2)
        reviewer.goto(payroll_url)
        reviewer.fill("input[name=note]", "核对无误")
        reviewer.click("button:has-text('复核通过')")
        reviewer.wait_for_selector("text=已复核，可导出银行文件")
        journey.shot(reviewer, "finance2-reviewed")

        # the first exports, and downloads the bank file
        page.goto(payroll_url)
        page.click("button:has-text('导出银行文件')")
        page.wait_for_selector("[data-job-status]:has-text('已完成')")
        page.click("[data-record-link]")
        files = page.locator("section.card", has_text="银行发放文件")
        assert "327.10" in files.inner_text()
        journey.shot(page, "finance-bank-files", full_page=True)
        content = journey.download(page, files.locator("a:has-text('下载')"))
    lines, totals, heading = _bank_file_lines(content)
    assert lines == [Decimal("327.10")]
    assert totals == [sum(lines)] == [Decimal("327.10")] and heading == "327.10"
    run = PayrollRun.objects.get(month=date(2026, 12, 1))
    assert run.status == PayrollRun.Status.EXPORTED and run.reviewed_by == finance2


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_death_settlement_sheet(journey, agent, clerk, finance, finance2, town):
    """4. A pensioner of 临城镇 dies on 2026-11-20: the town agent records it (a date after today first:
    the error at the field), the county clerk approves, the heirs' settlement is filled by the agent
    (a wrong heir ID first: the error at the field, the rest kept) and its sheet (PDF) prints.

    The pension starts 2026-11 (account pension 10.00); the ledger holds 个人缴费 1,000.00 and 省级补贴
    390.00, dated 2026-01-01 (so 2026's opening balance, and the interim interest, is 0). November is
    paid (10.00 drawn from the account); December is not yet generated, so nothing was paid after the
    death month. Heirs receive the account at death 1,390.00 − 10.00 = 1,380.00 (funeral subsidy 0)."""
    from datetime import date
    from decimal import Decimal

    from benefits import services
    from benefits.models import HeirSettlement, PayrollLine, PayrollRun
    from contributions.models import Source
    from contributions.services import account_post
    from tests.factories import PensionFactory, make_id_number

    pension = PensionFactory(person__town=town, person__name="李德福", start_month=date(2026, 11, 1))
    person = pension.person
    for source, amount in ((Source.PERSONAL, "1000.00"), (Source.PROVINCE, "390.00")):
        account_post(person=person, source=source, kind="credit", amount=Decimal(amount), year=2026,
                     entry_date=date(2026, 1, 1), by=clerk, memo="补缴")
    heir_id = make_id_number(date(1990, 3, 4), "1")

    with _pinned(date(2026, 12, 10)):
        services.payroll_generate(month=date(2026, 11, 1), by=finance)  # November, paid before the death is known
        run = PayrollRun.objects.get(month=date(2026, 11, 1))
        services.payroll_review(run=run, by=finance2)
        services.payroll_export(run=run, by=finance)
        line = run.lines.get(pension=pension)
        services.payroll_apply_return(run=run, outcomes={line.pk: None}, by=finance, paid_on=date(2026, 11, 15))
        assert PayrollLine.objects.get(pk=line.pk).status == PayrollLine.Status.PAID

        # the town agent records the death
        page = journey.login(agent)
        page.click("nav >> text=死亡登记")
        page.click("a:has-text('登记死亡')")
        page.fill("input[name=id_number]", person.id_number)
        page.fill("input[name=death_date]", "2026-12-20")
        page.select_option("select[name=source]", index=1)
        page.click("button:has-text('登记（镇初审通过）')")
        group = page.locator("div.field[data-field=death_date]")
        assert "死亡日期不能晚于今天" in group.locator(".errorlist").inner_text()
        journey.shot(page, "agent-death-date-error-at-the-field")
        page.fill("input[name=death_date]", "2026-11-20")
        page.fill("input[name=note]", "家属持死亡医学证明报告")
        page.click("button:has-text('登记（镇初审通过）')")
        page.wait_for_selector("text=已登记李德福的死亡，待县局复核")
        journey.shot(page, "agent-death-recorded")

        # the county clerk approves: the payments stop and the settlement is computed
        page = journey.login(clerk)
        page.click("nav >> text=死亡登记")
        page.locator("table tbody tr", has_text="李德福").locator("a").first.click()
        page.fill("textarea[name=opinion]", "核实死亡医学证明，情况属实")
        page.click("button:has-text('县复核通过')")
        page.wait_for_selector("text=复核通过：已停止发放、终止参保关系，并核算继承额")
        settlement_card = page.locator("section.card", has_text="继承结算")
        assert "1,380.00" in settlement_card.inner_text() and "（待登记）" in settlement_card.inner_text()
        journey.shot(page, "clerk-approved-settlement", full_page=True)
        death_url = page.url

        # the town agent fills in the heir; the settlement sheet prints with the heir and the amount
        page = journey.login(agent)
        page.goto(death_url)
        page.fill("input[name=heir_name]", "李小红")
        page.fill("input[name=heir_id_number]", heir_id[:17] + ("0" if heir_id[17] != "0" else "1"))
        page.fill("input[name=heir_relation]", "子女")
        page.fill("input[name=heir_bank_name]", "海南农信")
        page.fill("input[name=heir_bank_account]", "6217000099990001")
        page.click("button:has-text('登记继承人')")
        group = page.locator("div.field[data-field=heir_id_number]")
        assert "身份证号校验位错误" in group.locator(".errorlist").inner_text()
        assert page.input_value("input[name=heir_name]") == "李小红"  # what was typed stays
        group.scroll_into_view_if_needed()
        journey.shot(page, "agent-heir-id-error-at-the-field")
        page.fill("input[name=heir_id_number]", heir_id)
        page.click("button:has-text('登记继承人')")
        page.wait_for_selector("text=已登记继承人，下次月度发放时一次性支付")
        card = page.locator("section.card", has_text="继承结算").inner_text()
        assert "李小红" in card and heir_id not in card and "6217000099990001" not in card  # masked on the page
        journey.shot(page, "agent-heirs-registered", full_page=True)
        sheet = journey.fetch(page, page.locator("a:has-text('打印继承结算表（PDF）')"))
    assert sheet.headers["content-type"] == "application/pdf" and sheet.body()[:4] == b"%PDF"
    text = _pdf_text(sheet.body())
    assert "1,380.00" in text and "李小红" in text
    settlement = HeirSettlement.objects.get(person=person)
    assert (settlement.payable, settlement.status, settlement.heir_name) == (
        Decimal("1380.00"), HeirSettlement.Status.READY, "李小红")


def _open(page, title: str):
    """Open one of the inspection page's collapsed action forms (<details>) by its title."""
    details = page.locator("details", has=page.locator("summary", has_text=title))
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    return details


def test_onsite_inspection(journey, auditor, agent, town, tmp_path):
    """5. An auditor runs an on-site inspection of 临城镇 from the notice to the closing (the year's plan,
    a spot check in it, the programme, a notice less than 5 days ahead refused at its field, then one
    7 days ahead, the start, a work record and a finding, the report); the town agent signs for the
    notice, answers the report in writing and reports the rectification; the auditor verifies it and
    closes the case. Dates are the real today (D): notice D−7, start D, report D (opinion due D+10)."""
    from datetime import timedelta

    from django.utils import timezone

    from supervision.models import Inspection, Rectification

    today = timezone.localdate()
    iso = lambda d: d.isoformat()  # noqa: E731

    # the auditor: the year's plan and a spot check of 临城镇 in it
    page = journey.login(auditor)
    page.click("nav >> text=年度监督计划")
    _open(page, "编制年度监督计划")
    assert page.input_value("input[name=year]") == str(today.year)
    page.click("button:has-text('建立计划')")
    page.wait_for_selector(f"text=已建立{today.year}年度参保人员信息监督检查计划")
    plan_form = _open(page, "加入检查项目")
    plan_form.locator("select[name=kind]").select_option("spot")
    plan_form.locator("input[name=title]").fill("临城镇参保登记资料抽查")
    plan_form.locator("label", has_text="临城镇").locator("input[type=checkbox]").check()
    plan_form.locator("input[name=scope][value='2']").check()
    plan_form.locator("input[name=team_leader]").fill("周明")
    plan_form.locator("input[name=team_members]").fill("王芳、林海")
    plan_form.locator("input[name=start]").fill(iso(today))
    plan_form.locator("input[name=end]").fill(iso(today + timedelta(days=2)))
    plan_form.locator("button:has-text('加入计划')").click()
    page.wait_for_selector("text=已加入年度计划")
    journey.shot(page, "auditor-plan-with-the-spot-check")
    page.click("a:has-text('临城镇参保登记资料抽查')")
    page.locator("table tbody tr", has_text="临城镇").locator("a").first.click()
    inspection = Inspection.objects.get(town=town)
    assert page.url.endswith(f"/inspections/{inspection.pk}/")
    inspection_url = page.url

    # the programme, then the notice: 3 days ahead is refused at its field, 7 days ahead is sent
    _open(page, "制定监督方案")
    page.fill("textarea[name=programme-programme]", "查阅2026年新增参保人员的登记表、身份证复印件和户口簿复印件")
    page.click("details:has-text('制定监督方案') button:has-text('保存')")
    page.wait_for_selector("text=已保存监督方案")
    _open(page, "通知被监督单位")
    page.fill("input[name=notice-on]", iso(today - timedelta(days=3)))
    page.click("button:has-text('发出通知')")
    group = page.locator("div.field[data-field=notice-on]")
    assert "应在实施监督5日前通知被监督单位" in group.locator(".errorlist").inner_text()
    group.scroll_into_view_if_needed()
    journey.shot(page, "auditor-notice-too-late-error-at-the-field")
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.PLANNED
    page.fill("input[name=notice-on]", iso(today - timedelta(days=7)))
    page.click("button:has-text('发出通知')")
    page.wait_for_selector("text=已通知被监督单位")
    notice = journey.fetch(page, page.locator("a:has-text('打印监督检查通知书')"))
    assert notice.headers["content-type"] == "application/pdf" and notice.body()[:4] == b"%PDF"

    # the town agent signs for the notice (from the module's page: the inspection is in its list)
    town_page = journey.login(agent)
    town_page.click("nav >> text=现场监督")
    town_page.locator("table tbody tr", has_text="临城镇参保登记资料抽查").locator("a").first.click()
    town_page.click("button:has-text('签收监督通知')")
    town_page.wait_for_selector("text=已签收监督通知")
    journey.shot(town_page, "agent-signed-for-the-notice")

    # the auditor starts, records the work and a finding, and sends the report
    page.goto(inspection_url)
    assert "签收" in page.locator("main table").first.inner_text()
    _open(page, "开始实施")
    page.fill("input[name=start-on]", iso(today))
    page.click("button:has-text('开始实施')")
    page.wait_for_selector("text=现场监督开始实施")
    work = _open(page, "记录现场工作")
    work.locator("select[name=work-kind]").select_option("consulted")
    work.locator("input[name=work-on_date]").fill(iso(today))
    work.locator("textarea[name=work-documents]").fill("2026年新增参保登记表 120 份")
    work.locator("button:has-text('保存')").click()
    page.wait_for_selector("text=已记录现场工作")
    finding = _open(page, "记录发现的问题")
    finding.locator("select[name=finding-scope]").select_option("2")
    finding.locator("textarea[name=finding-description]").fill("3 份登记表缺户口簿复印件")
    finding.locator("input[name=finding-persons_involved]").fill("3")
    finding.locator("button:has-text('保存')").click()
    page.wait_for_selector("text=已记录发现的问题")
    _open(page, "出具并送达监督报告")
    page.fill("textarea[name=report-text]", "抽查登记表 120 份，3 份缺户口簿复印件，须补齐")
    page.fill("input[name=report-on]", iso(today))
    page.click("button:has-text('送达报告')")
    page.wait_for_selector("text=监督报告已送达被监督单位")
    report = journey.fetch(page, page.locator("a:has-text('打印监督报告')"))
    assert report.body()[:4] == b"%PDF"
    journey.shot(page, "auditor-report-sent", full_page=True)

    # the town agent answers in writing within the 10 days
    town_page.click('nav a:text-is("监督检查")')
    town_page.click("a.stat:has-text('报告已送达')")
    town_page.locator("table tbody tr", has_text="临城镇参保登记资料抽查").locator("a").first.click()
    due = (today + timedelta(days=10)).isoformat()
    assert f"请在 {due} 前提出书面意见" in town_page.locator("main").inner_text()
    _open(town_page, "提出书面意见")
    town_page.fill("textarea[name=opinion-text]", "无异议，已通知相关村委会补齐材料")
    town_page.click("button:has-text('提交书面意见')")
    town_page.wait_for_selector("text=已提交书面意见")
    journey.shot(town_page, "agent-written-opinion")

    # the auditor orders the rectification; the town reports it with an attachment; verified; closed
    page.goto(inspection_url)
    rectify = _open(page, "下达整改通知")
    rectify.locator("textarea[name=rectify-requirements]").fill("30 日内补齐 3 份登记表的户口簿复印件")
    rectify.locator("input[name=rectify-issued_on]").fill(iso(today))
    rectify.locator("input[name=rectify-deadline]").fill(iso(today + timedelta(days=30)))
    rectify.locator("button:has-text('下达')").click()
    page.wait_for_selector("text=已下达整改通知")
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.RECTIFYING

    attachment = tmp_path / "整改报告.pdf"
    attachment.write_bytes(b"%PDF-1.4\n% rectification report\n")
    town_page.goto(inspection_url)
    town_page.fill("textarea[name=text]", "3 份户口簿复印件已补齐归档")
    town_page.set_input_files("input[name=file]", str(attachment))
    town_page.click("button:has-text('报送整改报告')")
    town_page.wait_for_selector("text=已报送整改报告")
    journey.shot(town_page, "agent-rectification-reported")

    page.goto(inspection_url)
    verify = page.locator("form", has=page.locator("button:has-text('记录核实结果')"))
    verify.locator("select[name=done]").select_option("1")
    verify.locator("input[name=on_date]").fill(iso(today))
    verify.locator("input[name=note]").fill("现场核对补齐的复印件")
    verify.locator("button:has-text('记录核实结果')").click()
    page.wait_for_selector("text=已记录核实结果")
    assert Rectification.objects.get(inspection=inspection).status == Rectification.Status.VERIFIED
    _open(page, "结案")
    page.fill("textarea[name=close-conclusion]", "问题已整改到位，结案")
    page.fill("input[name=close-on]", iso(today))
    page.click("details:has-text('结案') button:has-text('结案')")
    page.wait_for_selector("text=已结案")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CLOSED and inspection.opinion_by == agent
    history = page.locator("main h2:has-text('办理过程') + table")  # the scans' table may follow it
    steps = history.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert steps == ["计划", "已通知", "实施中", "报告已送达", "意见反馈", "整改中", "已结案"]
    journey.shot(page, "auditor-closed", full_page=True)


def test_dashboard_and_monthly_report(journey, manager, county):
    """6. A manager opens the dashboard, builds the statistical monthly report of March 2026 on the
    reports page (the county of tests/reports/conftest.py, every figure known by hand) and downloads
    it in Excel and PDF; then builds last month's, which the dashboard compares and charts.

    The dashboard counts now: 参保人数 = everyone not terminated (A, B, C, E, F) = 5; 领取人数 = the
    one pensioner receiving (C; F is suspended) = 1. March's report: 临城镇 实发金额 301.00 (C's
    291 + 10; F's line failed), the county's 期末余额 1,390.00."""
    import io

    from django.utils import timezone
    from openpyxl import load_workbook

    from linggao_pension import periods
    from reports.models import BuiltReport

    page = journey.login(manager)
    page.click("nav >> text=局领导看板")
    page.wait_for_selector("h1:has-text('局领导看板')")
    stats = {s.locator("div.muted").inner_text(): s.locator(".stat-value").inner_text()
             for s in page.locator("div.stat").all()}
    assert (stats.get("参保人数"), stats.get("领取人数")) == ("5", "1"), stats
    assert "12 个月的统计月报尚未生成" in page.locator("main").inner_text()
    journey.shot(page, "manager-dashboard-before-the-reports", full_page=True)

    # the reports page (from the dashboard's hint): build March 2026's monthly report
    page.locator("main a:has-text('统计报表')").first.click()
    page.select_option("select[name=kind]", "monthly")
    page.fill("input[name=month]", "2026-03")
    journey.shot(page, "manager-builds-march")
    page.click("button:has-text('生成')")
    page.wait_for_selector("[data-job-status]:has-text('已完成')")
    journey.shot(page, "manager-build-job")
    report = BuiltReport.objects.get(kind="monthly", month="2026-03-01")
    assert page.locator("[data-record-link]").inner_text() == f"查看{report.label}（下载 Excel、PDF）"
    page.click("[data-record-link]")
    page.wait_for_selector(f"h1:has-text('{report.label}')")
    assert page.url.endswith(f"/reports/{report.pk}/")
    totals = page.locator("table tr.total").first.inner_text()
    assert "全县合计" in totals
    journey.shot(page, "manager-march-report", full_page=True)

    workbook = journey.download(page, page.locator("main a:has-text('Excel')").first)
    ws = load_workbook(io.BytesIO(workbook)).active
    assert ws["A1"].value == "临高县城乡居民基本养老保险统计月报" and "2026年3月" in ws["A2"].value
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    heads = {ws.cell(4, c).value: c for c in range(2, ws.max_column + 1)}
    assert _money(ws.cell(rows["临城镇"], heads["实发金额"]).value) == _money("301.00")
    assert _money(ws.cell(rows["全县合计"], heads["期末余额"]).value) == _money("1390.00")
    pdf = journey.download(page, page.locator("main a:has-text('PDF')").first)
    assert pdf[:4] == b"%PDF"
    text = _pdf_text(pdf)
    assert "临高县城乡居民基本养老保险统计月报" in text and "全县合计" in text and "1,390.00" in text

    # last month's report (the form's default month), then the dashboard compares with it
    page.click('nav a:text-is("统计报表")')
    last_month = periods.add_months(periods.month_start(timezone.localdate()), -1)
    assert page.input_value("input[name=month]") == f"{last_month:%Y-%m}"
    page.click("button:has-text('生成')")
    page.wait_for_selector("[data-job-status]:has-text('已完成')")
    page.click("nav >> text=局领导看板")
    page.wait_for_selector("h1:has-text('局领导看板')")
    body = page.locator("main").inner_text()
    assert f"各镇/农场覆盖（{last_month.year}年{last_month.month}月统计月报）" in body
    window = {periods.add_months(periods.month_start(timezone.localdate()), -i) for i in range(1, 13)}
    built = len(window & {periods.month_start(report.month), last_month})
    assert f"{12 - built} 个月的统计月报尚未生成" in body and "上月报表未生成" not in body
    journey.shot(page, "manager-dashboard-with-last-month", full_page=True)
