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
