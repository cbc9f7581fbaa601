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
