"""Every page: happy path, wrong method (405), another town's row (404), missing permission (403),
and flat query counts on the lists."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from contributions import services
from contributions.models import AccountEntry, Receipt, Remittance, Source, SpecialCredit
from linggao_pension.org import roles
from linggao_pension.org.models import AccessLog, JobRun
from tests.conftest import make_user
from tests.factories import AccountEntryFactory, PersonFactory, ReceiptFactory

from .conftest import at, nth_person

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _frozen():
    with at(2026, 6, 15):
        yield


@pytest.fixture
def receipt(town, agent2):
    return ReceiptFactory(person=PersonFactory(town=town), collected_by=agent2, grade=D("500.00"), paid_on=date(2026, 6, 1))


@pytest.fixture
def remittance(town, finance):
    ReceiptFactory(person=PersonFactory(town=town), status=Receipt.Status.CONFIRMED, confirmed_at=timezone.now(),
                   paid_on=date(2026, 5, 3))  # fmt: skip
    services.remittance_generate(month=date(2026, 5, 1), by=finance)
    return Remittance.objects.get()


@pytest.fixture
def credit_entry(person):
    return AccountEntryFactory(person=person, source=Source.PERSONAL, amount=D("300.00"), entry_date=date(2025, 4, 1), year=2025)


@pytest.fixture
def special(town, clerk):
    person = PersonFactory(town=town, old_rural_pension=True)
    return services.special_credit_record(person=person, kind="old_rural", amount=D("1200"), document_no="D-1", by=clerk)


def town_user(username, town, *perms):
    """A town-scoped user holding county permissions, to show that scope answers 404, not 403."""
    user = make_user(username, roles.TOWN_AGENT, town)
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return user


def login(client, user):
    client.force_login(user)
    return client


# --- 403 and 405 for every page ------------------------------------------------------------------

GET_PAGES = [
    ("contributions:index", [], "nobody"),
    ("contributions:account_search", [], "nobody"),
    ("contributions:receipt_list", [], "nobody"),
    ("contributions:receipt_create", [], "finance"),
    ("contributions:receipt_import", [], "agent"),
    ("contributions:receipt_import_template", [], "agent"),
    ("contributions:year_end", [], "agent"),
    ("contributions:remittance_list", [], "agent"),
    ("contributions:special_list", [], "agent"),
    ("contributions:special_create", [], "finance"),
]


@pytest.mark.parametrize("name, args, outsider", GET_PAGES)
def test_get_pages_need_their_permission(client, request, name, args, outsider):
    response = login(client, request.getfixturevalue(outsider)).get(reverse(name, args=args))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name, user",
    [("contributions:index", "clerk"), ("contributions:receipt_list", "clerk"), ("contributions:year_end", "clerk"),
     ("contributions:remittance_list", "finance"), ("contributions:special_list", "clerk"),
     ("contributions:receipt_import_template", "clerk")],
)  # fmt: skip
def test_get_pages_refuse_post(client, request, name, user):
    assert login(client, request.getfixturevalue(user)).post(reverse(name)).status_code == 405


@pytest.mark.parametrize(
    "name, user",
    [("contributions:receipt_confirm", "finance"), ("contributions:interest_start", "clerk"),
     ("contributions:daijiao_start", "clerk"), ("contributions:remittance_start", "finance")],
)  # fmt: skip
def test_action_endpoints_refuse_get(client, request, name, user):
    assert login(client, request.getfixturevalue(user)).get(reverse(name)).status_code == 405


@pytest.mark.parametrize(
    "name, outsider",
    [("contributions:receipt_confirm", "agent"), ("contributions:interest_start", "finance"),
     ("contributions:daijiao_start", "agent"), ("contributions:remittance_start", "clerk")],
)  # fmt: skip
def test_action_endpoints_need_their_permission(client, request, name, outsider):
    assert login(client, request.getfixturevalue(outsider)).post(reverse(name)).status_code == 403


# --- Dashboard -------------------------------------------------------------------------------------


def test_dashboard_by_role(client, agent, finance, clerk, receipt):
    html = login(client, agent).get(reverse("contributions:index")).content.decode()
    assert "登记缴费" in html and "待财务确认" in html and "确认镇/农场收缴" not in html
    html = login(client, finance).get(reverse("contributions:index")).content.decode()
    assert "确认镇/农场收缴" in html and "临城镇" in html and "登记缴费" not in html
    html = login(client, clerk).get(reverse("contributions:index")).content.decode()
    assert "年度结息与政府代缴" in html and "导入银行代收文件" in html


def test_account_search_is_scoped(client, agent, agent_elsewhere, person):
    url, data = reverse("contributions:account_search"), {"id_number": person.id_number}
    assert login(client, agent).post(url, data)["Location"] == reverse("contributions:account_detail", args=[person.pk])
    assert login(client, agent).get(url + f"?id_number={person.id_number}").status_code == 405  # never in a URL
    response = login(client, agent_elsewhere).post(url, data, follow=True)
    assert "未找到该身份证号的参保人" in response.content.decode()


# --- Receipts ------------------------------------------------------------------------------------


def test_agent_records_a_payment_through_the_form(client, agent, person):
    response = login(client, agent).post(
        reverse("contributions:receipt_create"),
        {"person": person.id_number, "year": 2026, "grade": "300", "paid_on": "2026-06-10", "collective_amount": "",
         "sponsor_amount": ""},
    )  # fmt: skip
    receipt = Receipt.objects.get()
    assert response["Location"] == reverse("contributions:receipt_detail", args=[receipt.pk])
    assert (receipt.grade, receipt.collected_by, receipt.status) == (D("300.00"), agent, "collected")


def test_receipt_form_shows_field_errors_and_saves_nothing(client, agent, agent_elsewhere, person):
    response = login(client, agent).post(
        reverse("contributions:receipt_create"),
        {"person": person.id_number, "year": 2026, "grade": "300", "paid_on": "2026-07-01", "collective_amount": "2500"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "缴费日期不能晚于今天" in html and "集体补助与其他资助合计不能超过当年最高档次 2000 元" in html
    response = login(client, agent_elsewhere).post(
        reverse("contributions:receipt_create"),
        {"person": person.id_number, "year": 2026, "grade": "300", "paid_on": "2026-06-01"},
    )
    assert "未找到该身份证号的参保人（或不属于您所在的镇/农场）" in response.content.decode()
    assert not Receipt.objects.exists()


def test_receipt_form_refuses_put(client, agent):
    assert login(client, agent).put(reverse("contributions:receipt_create")).status_code == 405


def test_receipt_detail_happy_404_405_403(client, agent, agent_elsewhere, nobody, receipt):
    url = reverse("contributions:receipt_detail", args=[receipt.pk])
    response = login(client, agent).get(url)
    assert response.status_code == 200 and receipt.receipt_no in response.content.decode()
    assert AccessLog.objects.filter(user=agent, action="查看缴费票据").exists()
    assert login(client, agent).post(url).status_code == 405
    assert login(client, agent_elsewhere).get(url).status_code == 404
    assert login(client, nobody).get(url).status_code == 403


def test_receipt_pdf_shows_amount_in_capitals(client, agent, agent_elsewhere, nobody, receipt):
    url = reverse("contributions:receipt_pdf", args=[receipt.pk])
    response = login(client, agent).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.context["amount_capital"] == "伍佰元整"
    assert response.context["receipt"].receipt_no == receipt.receipt_no
    assert AccessLog.objects.filter(user=agent, action="打印缴费票据").exists()
    assert login(client, agent).post(url).status_code == 405
    assert login(client, agent_elsewhere).get(url).status_code == 404
    assert login(client, nobody).get(url).status_code == 403


def test_receipt_pdf_template_prints_every_field(receipt, clerk):
    from django.template.loader import render_to_string

    html = render_to_string("contributions/receipt_pdf.html", {"receipt": receipt, "amount_capital": "伍佰元整",
                                                               "viewer": clerk})
    for text in (receipt.receipt_no, receipt.person.name, receipt.person.id_number, "2026 年度", "500.00 元/年",
                 "伍佰元整", "¥500.00", str(receipt.collected_by), "2026年6月1日"):  # fmt: skip
        assert text in html


def test_void_happy_404_405_403(client, agent, agent_elsewhere, clerk, receipt):
    url = reverse("contributions:receipt_void", args=[receipt.pk])
    assert login(client, agent).get(url).status_code == 405
    assert login(client, clerk).post(url, {"reason": "x"}).status_code == 403
    assert login(client, agent_elsewhere).post(url, {"reason": "x"}).status_code == 404
    response = login(client, agent).post(url, {"reason": ""}, follow=True)
    assert "作废必须填写原因" in response.content.decode()
    login(client, agent).post(url, {"reason": "档次填错"})
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.VOIDED and receipt.voided_by == agent


def test_finance_confirms_selected_receipts(client, finance, receipt, town, agent):
    other = ReceiptFactory(person=PersonFactory(town=town), collected_by=agent)
    response = login(client, finance).post(reverse("contributions:receipt_confirm"), {"receipt": [receipt.pk, other.pk]})
    assert response.status_code == 302
    assert set(Receipt.objects.values_list("status", flat=True)) == {"confirmed"}
    assert AccountEntry.objects.filter(person=receipt.person).count() == 2
    response = login(client, finance).post(reverse("contributions:receipt_confirm"), {"receipt": [receipt.pk]}, follow=True)
    assert "状态为“已确认”，不能确认" in response.content.decode()
    response = login(client, finance).post(reverse("contributions:receipt_confirm"), {"receipt": [999999]}, follow=True)
    assert "部分票据不存在或不在您的权限范围内" in response.content.decode()


def test_receipt_list_is_scoped_and_query_count_is_flat(client, agent, finance, town, other_town, django_assert_max_num_queries):
    for i in range(30):
        ReceiptFactory(person=nth_person(i, town=town if i % 3 else other_town), collected_by=agent)
    login(client, finance)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("contributions:receipt_list"))
    assert response.status_code == 200 and response.content.decode().count('name="receipt"') == 30
    html = login(client, agent).get(reverse("contributions:receipt_list")).content.decode()
    assert "波莲镇" not in html.split("<tbody>", 1)[1]
    assert "469024" in html and "*" in html  # ID numbers masked


def test_receipt_list_filters(client, finance, town):
    ReceiptFactory(person=PersonFactory(town=town), year=2025, receipt_no="FIND-ME")
    ReceiptFactory(person=PersonFactory(town=town), year=2026)
    html = login(client, finance).get(reverse("contributions:receipt_list") + "?q=FIND-ME").content.decode()
    assert "FIND-ME" in html and "共 1 条" in html


def xlsx_upload(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号", "缴费年度", "缴费档次", "缴费日期", "缴费方式", "票据号"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "bank.xlsx"
    return buffer


def test_import_page_imports_or_lists_every_error(client, clerk, person, django_capture_on_commit_callbacks):
    """The upload lands on the import result page: every bad row of a refused file with nothing
    saved, then the count of a good one; an unreadable file is one clear error, nothing saved."""
    url = reverse("contributions:receipt_import")
    assert login(client, clerk).get(url).status_code == 200

    def upload(file):  # the job runs once the upload's transaction commits; then the result page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": file})
        assert response.status_code == 302
        return client.get(response["Location"]).content.decode()

    html = upload(xlsx_upload([[person.id_number, 2026, 250, "2026-03-01", "2", "B1"]]))
    assert "2026 年度没有 250 元档次" in html and "未导入任何数据" in html
    assert not Receipt.objects.exists() and JobRun.objects.get().status == JobRun.Status.FAILED
    assert "已导入 1 条缴费记录并记入个人账户" in upload(xlsx_upload([[person.id_number, 2026, 200, "2026-03-01", "2", "B1"]]))
    receipt = Receipt.objects.get()
    assert receipt.receipt_no == "B1" and receipt.status == Receipt.Status.CONFIRMED
    html = upload(SimpleUploadedFile("bank.xlsx", b"\x00not a spreadsheet\x00"))
    assert "无法读取文件：请上传 Excel（.xlsx 或 97-2003 的 .xls）或 CSV 文件" in html
    assert Receipt.objects.count() == 1
    page = client.get(url).content.decode()  # the page lists the recent imports
    assert page.count("查看结果") == JobRun.objects.filter(kind="contributions.import_receipts").count()
    assert login(client, clerk).put(url).status_code == 405


def test_a_legacy_import_never_enters_a_remittance(client, clerk, person, django_capture_on_commit_callbacks):
    url = reverse("contributions:receipt_import")
    login(client, clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": xlsx_upload([[person.id_number, 2025, 200, "2025-03-01", "2", "L1"]]),
                          "legacy": "on"})
    receipt = Receipt.objects.get(receipt_no="L1")  # the job carried the form's 历史数据迁移 tick
    assert receipt.legacy and receipt.status == Receipt.Status.CONFIRMED
    assert not Receipt.objects.remittable(up_to=date(2026, 12, 31)).exists()


def test_import_template_downloads(client, clerk):
    response = login(client, clerk).get(reverse("contributions:receipt_import_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- The personal account ---------------------------------------------------------------------------


def test_account_page_shows_balance_years_and_entries(client, agent, agent_elsewhere, nobody, person, credit_entry):
    url = reverse("contributions:account_detail", args=[person.pk])
    html = login(client, agent).get(url).content.decode()
    assert "账户余额：300.00 元" in html and "缴费年限：1 年" in html and "2025" in html
    assert "冲正</a>" not in html  # agents do not reverse
    assert AccessLog.objects.filter(user=agent, action="查看个人账户").exists()
    assert login(client, agent).post(url).status_code == 405
    assert login(client, agent_elsewhere).get(url).status_code == 404
    assert login(client, nobody).get(url).status_code == 403


def test_account_page_query_count_is_flat(client, clerk, person, django_assert_max_num_queries):
    for i in range(30):
        AccountEntryFactory(person=person, entry_date=date(2000 + i % 25, 3, 1), year=2000 + i % 25)
    login(client, clerk)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("contributions:account_detail", args=[person.pk]))
    assert response.content.decode().count("冲正</a>") == 30


def test_person_page_has_the_account_section(client, clerk, person, credit_entry):
    html = login(client, clerk).get(reverse("enrollment:person_detail", args=[person.pk])).content.decode()
    assert "个人账户" in html and "账户余额：300.00 元" in html


def test_statement_pdf(client, agent, agent_elsewhere, nobody, person, credit_entry):
    url = reverse("contributions:account_statement_pdf", args=[person.pk, 2025])
    response = login(client, agent).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.context["statement"]["closing_total"] == D("300.00")
    assert login(client, agent).post(url).status_code == 405
    assert login(client, agent_elsewhere).get(url).status_code == 404
    assert login(client, nobody).get(url).status_code == 403
    assert login(client, agent).get(reverse("contributions:account_statement_pdf", args=[person.pk, 2031])).status_code == 404


def test_entry_reverse_happy_404_405_403(client, clerk, agent, other_town, credit_entry):
    url = reverse("contributions:entry_reverse", args=[credit_entry.pk])
    assert login(client, clerk).get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    response = client.post(url, {"reason": "重复入账"})
    assert response["Location"] == reverse("contributions:account_detail", args=[credit_entry.person_id])
    assert AccountEntry.objects.get(reverses=credit_entry).amount == D("-300.00")
    assert login(client, clerk).put(url).status_code == 405
    assert login(client, agent).get(url).status_code == 403
    outsider = town_user("scoped_clerk", other_town, "contributions.reverse_accountentry")
    assert login(client, outsider).get(url).status_code == 404


# --- Year end ------------------------------------------------------------------------------------------


def test_year_end_page_and_daijiao_job(client, clerk, town, django_capture_on_commit_callbacks):
    PersonFactory(town=town, identity_id="021")
    assert "结息记录" in login(client, clerk).get(reverse("contributions:year_end")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contributions:daijiao_start"), {"daijiao-year": "2026"})
    job = JobRun.objects.get(kind="contributions.post_daijiao")
    assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    assert job.status == "succeeded" and job.result == {"year": 2026, "credited": 1, "total": "100.00"}


@pytest.mark.parametrize(
    "name, user, data, message",
    [
        ("contributions:interest_start", "clerk", {"interest-year": "2099"}, "2099 年度未设置记账利率，不能结息"),
        ("contributions:daijiao_start", "clerk", {"daijiao-year": "2099"}, "不能为以后年度（2099）执行代缴入账"),
        ("contributions:remittance_start", "finance", {"month": "2099-01"}, "不能生成以后月份（2099年01月）的上缴单"),
        ("contributions:remittance_start", "finance", {"month": "2026-13"}, "不是有效的年月，应为 YYYY-MM 格式"),
    ],
)  # fmt: skip
def test_a_refused_batch_start_says_why_and_records_no_job(client, request, name, user, data, message):
    """The batch buttons go through the job's own start service: a refusal is shown on the page and
    no job is recorded (nothing runs)."""
    response = login(client, request.getfixturevalue(user)).post(reverse(name), data, follow=True)
    assert message in response.content.decode()
    assert not JobRun.objects.exists()


# --- Remittances -----------------------------------------------------------------------------------------


def test_remittance_pages(client, finance, finance2, agent, remittance, django_capture_on_commit_callbacks):
    assert "2026年05月" in login(client, finance).get(reverse("contributions:remittance_list")).content.decode()
    detail = reverse("contributions:remittance_detail", args=[remittance.pk])
    html = client.get(detail).content.decode()
    assert "分镇汇总" in html and "临城镇" in html
    assert client.post(detail).status_code == 405
    assert client.get(reverse("contributions:remittance_detail", args=[99999])).status_code == 404
    assert login(client, agent).get(detail).status_code == 403
    xlsx = login(client, finance).get(reverse("contributions:remittance_xlsx", args=[remittance.pk]))
    assert xlsx.status_code == 200 and xlsx.getvalue()[:2] == b"PK"
    pdf = client.get(reverse("contributions:remittance_pdf", args=[remittance.pk]))
    assert pdf.getvalue().startswith(b"%PDF")
    assert login(client, agent).get(reverse("contributions:remittance_pdf", args=[remittance.pk])).status_code == 403

    remit = reverse("contributions:remittance_remit", args=[remittance.pk])
    assert login(client, finance).get(remit).status_code == 405
    assert login(client, agent).post(remit, {"voucher_no": "V"}).status_code == 403
    response = login(client, finance).post(remit, {"voucher_no": "V1"}, follow=True)
    assert "须由另一名财务人员确认已上缴" in response.content.decode()
    login(client, finance2).post(remit, {"voucher_no": "V1"})
    remittance.refresh_from_db()
    assert remittance.status == "remitted" and remittance.voucher_no == "V1"


def test_remittance_start_runs_the_job(client, finance, town, django_capture_on_commit_callbacks):
    ReceiptFactory(person=PersonFactory(town=town), status="confirmed", confirmed_at=timezone.now(), paid_on=date(2026, 6, 3))
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, finance).post(reverse("contributions:remittance_start"), {"month": "2026-06"})
    job = JobRun.objects.get(kind="contributions.remit_premiums")
    assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    assert job.result == {"created": 1, "receipts": 1, "total": "200.00"}
    response = login(client, finance).post(reverse("contributions:remittance_start"), {"month": "2026-13"}, follow=True)
    assert "不是有效的年月" in response.content.decode()


def test_remittance_list_query_count_is_flat(client, manager, finance, django_assert_max_num_queries):
    for i in range(30):
        Remittance.objects.create(month=date(2020 + i // 12, i % 12 + 1, 1), created_by=finance)
    login(client, manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("contributions:remittance_list"))
    assert response.status_code == 200 and response.content.decode().count("/contributions/remittances/") >= 30


# --- 老农保 / 被征地 ----------------------------------------------------------------------------------------


def test_special_credit_pages(client, clerk, clerk2, town, other_town, special):
    person = PersonFactory(town=town, land_expropriated=True)
    response = login(client, clerk).post(
        reverse("contributions:special_create"),
        {"person": person.id_number, "kind": "land", "amount": "5000", "document_no": "琼府〔2025〕8号", "note": ""},
    )
    credit = SpecialCredit.objects.get(person=person)
    assert response["Location"] == reverse("contributions:special_detail", args=[credit.pk])
    response = client.post(
        reverse("contributions:special_create"),
        {"person": person.id_number, "kind": "old_rural", "amount": "5000", "document_no": "X"},
    )
    assert "该参保人未标记为老农保人员" in response.content.decode()

    detail = reverse("contributions:special_detail", args=[special.pk])
    assert "提交复核结论" not in login(client, clerk).get(detail).content.decode()  # the preparer cannot review
    assert "提交复核结论" in login(client, clerk2).get(detail).content.decode()
    review = reverse("contributions:special_review", args=[special.pk])
    assert client.get(review).status_code == 405
    client.post(review, {"decision": "approve", "opinion": ""})
    special.refresh_from_db()
    assert special.status == "approved" and special.entry.amount == D("1200.00")

    outsider = town_user("scoped", other_town, "contributions.view_specialcredit", "contributions.review_specialcredit")
    assert login(client, outsider).get(detail).status_code == 404
    assert client.post(review, {"decision": "approve"}).status_code == 404


def test_special_pages_need_permission(client, agent, finance, special):
    assert login(client, agent).get(reverse("contributions:special_detail", args=[special.pk])).status_code == 403
    assert login(client, finance).post(reverse("contributions:special_review", args=[special.pk])).status_code == 403


def test_special_list_query_count_is_flat(client, clerk, town, django_assert_max_num_queries):
    for i in range(30):
        person = nth_person(i, town=town, land_expropriated=True)
        services.special_credit_record(person=person, kind="land", amount=D("100"), document_no=f"D{i}", by=clerk)
    login(client, clerk)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("contributions:special_list"))
    assert response.content.decode().count("/contributions/special/") >= 30


def test_receipt_page_offers_only_the_actions_the_user_may_take(client, agent, agent2, finance, town):
    def buttons(user, receipt):
        html = login(client, user).get(reverse("contributions:receipt_detail", args=[receipt.pk])).content.decode()
        return ("作废票据" in html, "确认划拨并记入个人账户" in html)

    collected = ReceiptFactory(person=PersonFactory(town=town), collected_by=agent2)
    assert buttons(agent, collected) == (True, False)
    assert buttons(finance, collected) == (True, True)
    own = ReceiptFactory(person=PersonFactory(town=town), collected_by=finance)
    assert buttons(finance, own) == (True, False)  # the collector never confirms
    confirmed = ReceiptFactory(person=PersonFactory(town=town), collected_by=agent2, status="confirmed",
                               confirmed_at=timezone.now(), paid_on=date(2026, 5, 3))  # fmt: skip
    assert buttons(agent, confirmed) == (False, False)  # a confirmed receipt is voided by finance only
    assert buttons(finance, confirmed) == (True, False)
    services.remittance_generate(month=date(2026, 5, 1), by=finance)
    assert buttons(finance, confirmed) == (False, False)  # remitted money cannot be voided
    assert buttons(agent, ReceiptFactory(person=PersonFactory(town=town), status="voided", void_reason="x",
                                         voided_at=timezone.now())) == (False, False)  # fmt: skip


# --- A manager starts the batch jobs (architecture.md "Batch jobs"), finance keeps confirm and remit ------


def test_manager_starts_interest_posting_and_remittance_but_never_confirms_or_remits(
    client, manager, finance, agent, town, django_capture_on_commit_callbacks
):
    person = PersonFactory(town=town)
    AccountEntryFactory(person=person, source=Source.PERSONAL, amount=D("1000.00"), entry_date=date(2024, 6, 1), year=2024)
    collected = ReceiptFactory(person=PersonFactory(town=town), collected_by=agent, paid_on=date(2026, 6, 2))
    ReceiptFactory(person=PersonFactory(town=town), status="confirmed", confirmed_at=timezone.now(), paid_on=date(2026, 5, 3))
    login(client, manager)
    html = client.get(reverse("contributions:index")).content.decode()
    assert "生成上缴单" in html and "年度结息与政府代缴" in html and "确认镇/农场收缴" not in html
    html = client.get(reverse("contributions:year_end")).content.decode()
    assert "开始结息" in html and "开始代缴入账" not in html
    html = client.get(reverse("contributions:remittance_list")).content.decode()
    assert "生成上缴单</button>" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contributions:interest_start"), {"interest-year": "2025"})
    job = JobRun.objects.get(kind="contributions.post_interest")
    assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    assert job.status == "succeeded" and job.started_by == manager and job.result["total"] == "15.00"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contributions:remittance_start"), {"month": "2026-05"})
    job = JobRun.objects.get(kind="contributions.remit_premiums")
    assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    assert job.result == {"created": 1, "receipts": 1, "total": "200.00"}
    remittance = Remittance.objects.get()
    assert remittance.created_by == manager
    assert "确认已上缴财政专户" not in client.get(reverse("contributions:remittance_detail", args=[remittance.pk])).content.decode()

    remit = reverse("contributions:remittance_remit", args=[remittance.pk])
    assert client.post(remit, {"voucher_no": "V1"}).status_code == 403
    assert client.post(reverse("contributions:receipt_confirm"), {"receipt": [collected.pk]}).status_code == 403
    assert client.post(reverse("contributions:daijiao_start"), {"daijiao-year": "2026"}).status_code == 403
    login(client, finance).post(remit, {"voucher_no": "V1"})  # the manager generated it: any finance user remits
    remittance.refresh_from_db()
    assert (remittance.status, remittance.remitted_by) == ("remitted", finance)
    collected.refresh_from_db()
    assert collected.status == "collected"


def test_reversing_an_entry_of_a_receipt_points_to_voiding_the_receipt(client, clerk, town, agent, finance):
    receipt = ReceiptFactory(person=PersonFactory(town=town), collected_by=agent, paid_on=date(2026, 5, 3))
    services.receipt_confirm_batch(receipt_ids=[receipt.pk], by=finance)
    entry = AccountEntry.objects.get(receipt=receipt, source=Source.PERSONAL)
    html = login(client, clerk).get(reverse("contributions:entry_reverse", args=[entry.pk])).content.decode()
    assert "该分录由缴费票据" in html and reverse("contributions:receipt_detail", args=[receipt.pk]) in html
    assert "请由财务作废该票据" in html


def test_remittance_page_links_to_the_receipts_it_took(client, finance, agent, town, remittance):
    other = ReceiptFactory(person=PersonFactory(town=town), receipt_no="NOT-REMITTED")
    taken = remittance.receipts.get()
    html = login(client, finance).get(reverse("contributions:remittance_detail", args=[remittance.pk])).content.decode()
    link = reverse("contributions:receipt_list") + f"?remittance={remittance.pk}"
    assert link in html and "票据明细（1 张）" in html
    html = client.get(link).content.decode()
    assert taken.receipt_no in html and other.receipt_no not in html and "仅显示 2026年05月 上缴单的票据" in html
    html = login(client, agent).get(reverse("contributions:receipt_list") + "?remittance=abc").content.decode()
    assert "仅显示" not in html


def test_confirm_returns_to_the_page_it_came_from_but_never_off_site(client, finance, receipt):
    url = reverse("contributions:receipt_confirm")
    response = login(client, finance).post(url, {"receipt": [receipt.pk], "next": "/contributions/receipts/?year=2026"})
    assert response["Location"] == "/contributions/receipts/?year=2026"
    response = client.post(url, {"receipt": [receipt.pk], "next": "https://evil.example/phish"})
    assert response["Location"] == reverse("contributions:receipt_list") + "?status=collected"


def test_receipt_list_search_by_id_number_or_name(client, finance, town):
    payer = PersonFactory(town=town, name="符查找")
    ReceiptFactory(person=payer, year=2025)
    ReceiptFactory(person=payer, year=2026)
    ReceiptFactory(person=PersonFactory(town=town, name="王别人"), year=2026)
    for q in (payer.id_number, payer.id_number.lower(), payer.name):
        html = login(client, finance).get(reverse("contributions:receipt_list"), {"q": q}).content.decode()
        assert "共 2 条" in html, q
