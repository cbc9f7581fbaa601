"""Every benefits page through its URL: happy path, wrong method (405), another town's row (404),
missing permission (403), bad input, and flat query counts on the lists."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from benefits import reports, services
from benefits.models import BenefitClaim, PayrollBankFile, PayrollLine, PayrollRun, Pension
from contributions.models import Source
from linggao_pension import periods
from linggao_pension.org.figures import figures_refresh
from linggao_pension.org.models import AccessLog, JobRun
from tests.factories import PensionFactory, PersonFactory
from tests.ui.html import doc, field_group, text

from .conftest import at, credit, return_file, xlsx, yearly

pytestmark = pytest.mark.django_db
D = Decimal
JAN = date(2026, 1, 1)


@pytest.fixture
def person_here(town, poster):
    """60 in April 2026 in 临城镇 with 15 years paid (2011-2025, 200 a year)."""
    person = PersonFactory(birth_date=date(1966, 4, 10), town=town)
    yearly(person, range(2011, 2026), "200.00", by=poster)
    return person


@pytest.fixture
def person_elsewhere(other_town, poster):
    person = PersonFactory(birth_date=date(1966, 4, 12), town=other_town)
    yearly(person, range(2011, 2026), "200.00", by=poster)
    return person


@pytest.fixture
def claim_here(person_here, agent):
    with at(2026, 4, 15):
        return services.claim_submit(person=person_here, by=agent)


@pytest.fixture
def claim_elsewhere(person_elsewhere, agent_elsewhere):
    with at(2026, 4, 15):
        return services.claim_submit(person=person_elsewhere, by=agent_elsewhere)


@pytest.fixture
def pension_here(town):
    return PensionFactory(person__town=town)


@pytest.fixture
def pension_elsewhere(other_town):
    return PensionFactory(person__town=other_town)


@pytest.fixture
def run(finance, pension_here, pension_elsewhere):
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
    return PayrollRun.objects.get()


@pytest.fixture
def exported(run, finance, finance2):
    with at(2026, 1, 20):
        services.payroll_review(run=run, by=finance2)
        services.payroll_export(run=run, by=finance)
    run.refresh_from_db()
    return run


# --- 405 and 403 for every page ----------------------------------------------------------------------------

PAGES = [
    # (url name, needs a pk fixture, allowed methods, a persona without the permission)
    ("benefits:index", None, "GET", "nobody"),
    ("benefits:due_list", None, "GET", "nobody"),
    ("benefits:due_export", None, "GET", "nobody"),
    ("benefits:claim_list", None, "GET", "nobody"),
    ("benefits:claim_create", None, "GET,POST", "clerk"),
    ("benefits:claim_detail", "claim_here", "GET", "nobody"),
    ("benefits:claim_determine", "claim_here", "POST", "agent"),
    ("benefits:claim_return", "claim_here", "POST", "agent"),
    ("benefits:pension_list", None, "GET", "nobody"),
    ("benefits:pension_detail", "pension_here", "GET", "nobody"),
    ("benefits:pension_payments", "pension_here", "GET", "nobody"),
    ("benefits:pension_sheet", "pension_here", "GET", "nobody"),
    ("benefits:person_estimate", "person_here", "GET", "nobody"),
    ("benefits:pensioner_import", None, "GET,POST", "agent"),
    ("benefits:pensioner_import_template", None, "GET", "agent"),
    ("benefits:payroll_list", None, "GET", "agent"),
    ("benefits:payroll_start", None, "POST", "clerk"),
    ("benefits:payroll_detail", "run", "GET", "agent"),
    ("benefits:payroll_review", "run", "POST", "clerk"),
    ("benefits:payroll_export", "run", "POST", "clerk"),
    ("benefits:payroll_return_template", "run", "GET", "clerk"),
    ("benefits:payroll_close", "run", "GET,POST", "clerk"),
]


def _url(request, name, fixture):
    if fixture is None:
        return reverse(name)
    return reverse(name, args=[request.getfixturevalue(fixture).pk])


@pytest.mark.parametrize("name, fixture, methods, outsider", PAGES)
def test_wrong_method_is_405(client, request, admin_user, name, fixture, methods, outsider):
    url = _url(request, name, fixture)
    client.force_login(admin_user)
    wrong = "delete" if "POST" in methods else "post"
    assert getattr(client, wrong)(url).status_code == 405
    if methods == "POST":
        assert client.get(url).status_code == 405


@pytest.mark.parametrize("name, fixture, methods, outsider", PAGES)
def test_missing_permission_is_403(client, request, name, fixture, methods, outsider):
    url = _url(request, name, fixture)
    client.force_login(request.getfixturevalue(outsider))
    method = "get" if "GET" in methods else "post"
    assert getattr(client, method)(url).status_code == 403


def test_bank_file_and_import_result_pages_are_403_without_permission(client, agent, exported, clerk):
    bank_file = PayrollBankFile.objects.first()
    job = JobRun.objects.create(kind="benefits.import_pensioners", started_by=clerk, params={"stored": "x.xlsx"})
    client.force_login(agent)
    assert client.get(reverse("benefits:bankfile_download", args=[bank_file.pk])).status_code == 403
    assert client.get(reverse("org:import_result", args=[job.pk])).status_code == 403
    client.force_login(clerk)
    assert client.post(reverse("benefits:bankfile_download", args=[bank_file.pk])).status_code == 405
    assert client.post(reverse("org:import_result", args=[job.pk])).status_code == 405


# --- another town's rows are 404 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, fixture",
    [
        ("benefits:claim_detail", "claim_elsewhere"),
        ("benefits:pension_detail", "pension_elsewhere"),
        ("benefits:pension_payments", "pension_elsewhere"),
        ("benefits:pension_sheet", "pension_elsewhere"),
        ("benefits:person_estimate", "person_elsewhere"),
    ],
)
def test_another_towns_row_is_404(client, request, agent, name, fixture):
    client.force_login(agent)
    assert client.get(_url(request, name, fixture)).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["benefits:claim_determine", "benefits:claim_return", "benefits:payroll_review", "benefits:payroll_export",
     "benefits:payroll_close"],
)
def test_unknown_rows_are_404_for_county_staff(client, admin_user, name):
    client.force_login(admin_user)
    assert client.post(reverse(name, args=[987654])).status_code == 404


@pytest.mark.parametrize(
    "name", ["benefits:payroll_detail", "benefits:payroll_return_template", "benefits:bankfile_download",
             "org:import_result"],
)
def test_unknown_rows_are_404_on_get(client, admin_user, name):
    client.force_login(admin_user)
    assert client.get(reverse(name, args=[987654])).status_code == 404


def test_lists_show_only_the_agents_town(client, agent, claim_here, claim_elsewhere, pension_here, pension_elsewhere):
    client.force_login(agent)
    claims = client.get(reverse("benefits:claim_list")).content.decode()
    assert claim_here.person.name in claims and claim_elsewhere.person.name not in claims
    pensions = client.get(reverse("benefits:pension_list")).content.decode()
    assert pension_here.person.name in pensions and pension_elsewhere.person.name not in pensions
    with at(2026, 4, 20):
        due = client.get(reverse("benefits:due_list")).content.decode()
    assert claim_here.person.name in due and claim_elsewhere.person.name not in due


# --- happy paths ---------------------------------------------------------------------------------------------


def test_index_dashboard(client, clerk, claim_here, run):
    client.force_login(clerk)
    with at(2026, 1, 22):
        response = client.get(reverse("benefits:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "待县核定的申领" in html and "2026年01月月度发放" in html and "已生成" in html


def test_due_list_and_export(client, agent, person_here, town, poster):
    short = PersonFactory(birth_date=date(1966, 4, 20), town=town)
    yearly(short, range(2015, 2026), "100.00", by=poster)  # 11 years: short by 4, 2011-2014 open → may back-pay
    client.force_login(agent)
    with at(2026, 4, 20):
        html = client.get(reverse("benefits:due_list"), {"month": "2026-04"}).content.decode()
        eligible = client.get(reverse("benefits:due_list"), {"month": "2026-04", "result": "eligible"}).content.decode()
        response = client.get(reverse("benefits:due_export"), {"month": "2026-04"})
    assert "2026年04月到龄名单（共 2 人）" in html
    assert "年限不足，可补缴" in html and "符合领取条件" in html
    assert person_here.name in eligible and short.name not in eligible
    # 申报 is offered only for the eligible person: the short one would be refused (测算 shows why)
    claim_url = reverse("benefits:claim_create")
    assert f"{claim_url}?person={person_here.pk}" in html and f"{claim_url}?person={short.pk}" not in html
    assert reverse("benefits:person_estimate", args=[short.pk]) in html
    # 年限不足可补缴 links to contributions' 补缴 for that person only
    assert reverse("contributions:backpay_create", args=[short.pk]) in html
    assert reverse("contributions:backpay_create", args=[person_here.pk]) not in html
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.getvalue()), read_only=True).active.iter_rows(values_only=True))
    body = {r[2]: r for r in rows[2:]}
    assert body[short.name][6:10] == (15, 11, 4, "年限不足，可补缴")
    assert body[person_here.name][6:10] == (15, 15, 0, "符合领取条件")
    assert body[short.name][3] == short.id_number
    # the list carries full ID numbers: its download is in the access log
    log = AccessLog.objects.get(object_type="benefits.due_list")
    assert (log.user, log.action, log.object_id) == (agent, "下载", "2026-04")


def test_claim_create_happy_path(client, agent, person_here):
    client.force_login(agent)
    with at(2026, 4, 15):
        assert client.get(reverse("benefits:claim_create"), {"person": person_here.pk}).status_code == 200
        response = client.post(reverse("benefits:claim_create"),
                               {"id_number": person_here.id_number.lower(), "opinion": "材料齐全"})
    claim = BenefitClaim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("benefits:claim_detail", args=[claim.pk])
    assert (claim.status, claim.town_opinion, claim.submitted_by) == (BenefitClaim.Status.TOWN_REVIEWED, "材料齐全", agent)


def test_claim_create_for_another_towns_person_is_refused_at_the_field(client, agent, person_elsewhere):
    client.force_login(agent)
    with at(2026, 4, 15):
        response = client.post(reverse("benefits:claim_create"), {"id_number": person_elsewhere.id_number})
    assert response.status_code == 200
    assert "本镇/农场没有该身份证号的参保人" in response.content.decode()
    assert not BenefitClaim.objects.exists()


def test_claim_create_shows_the_rule_that_refuses(client, agent, town):
    young = PersonFactory(birth_date=date(1970, 1, 1), town=town)
    client.force_login(agent)
    with at(2026, 4, 15):
        response = client.post(reverse("benefits:claim_create"), {"id_number": young.id_number})
        short = client.post(reverse("benefits:claim_create"), {"id_number": "123"})
    assert "于2030年01月年满60周岁，届时方可申报" in response.content.decode()
    assert "身份证号应为 18 位" in short.content.decode()
    assert not BenefitClaim.objects.exists()


def test_claim_detail_shows_the_calculation_and_logs_access(client, clerk, claim_here):
    client.force_login(clerk)
    response = client.get(reverse("benefits:claim_detail", args=[claim_here.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert claim_here.person.id_number in html and "县核定" in html and "符合领取条件" in html
    assert AccessLog.objects.filter(user=clerk, object_id=str(claim_here.person_id), action="查看待遇申领").exists()


def test_claim_determine_and_return(client, clerk, claim_here, claim_elsewhere):
    client.force_login(clerk)
    with at(2026, 5, 6):
        response = client.post(reverse("benefits:claim_determine", args=[claim_here.pk]), {"opinion": "同意"})
        returned = client.post(reverse("benefits:claim_return", args=[claim_elsewhere.pk]), {"reason": "材料不全"})
        empty = client.post(reverse("benefits:claim_return", args=[claim_elsewhere.pk]), {"reason": ""})
    assert response.status_code == returned.status_code == empty.status_code == 302
    pension = Pension.objects.get(claim=claim_here)
    assert pension.account_pension == D("21.69")  # 3,000 + interim round(3000 × 1.5% × 4/12) = 15 → 3,015 / 139
    claim_elsewhere.refresh_from_db()
    assert (claim_elsewhere.status, claim_elsewhere.county_opinion) == (BenefitClaim.Status.RETURNED, "材料不全")


def test_claim_determine_refusal_is_shown_and_nothing_saved(client, clerk, claim_here):
    client.force_login(clerk)
    with at(2026, 4, 20):
        response = client.post(reverse("benefits:claim_determine", args=[claim_here.pk]), follow=True)
    assert "不能核定：待遇开始年月为2026年05月" in response.content.decode()
    assert not Pension.objects.exists()


def test_pension_pages(client, clerk, pension_here):
    client.force_login(clerk)
    detail = client.get(reverse("benefits:pension_detail", args=[pension_here.pk]))
    sheet = client.get(reverse("benefits:pension_sheet", args=[pension_here.pk]))
    assert detail.status_code == 200 and pension_here.person.id_number in detail.content.decode()
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(user=clerk, action__in=["查看养老金待遇", "打印养老金计算表"]).count() == 2
    # the 养老金计算表 is one A4 page, its signature lines included
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(sheet.content))
    assert len(reader.pages) == 1 and "经办人" in reader.pages[0].extract_text()


def test_person_estimate_page(client, agent, person_here):
    client.force_login(agent)
    with at(2026, 4, 15):
        page = client.get(reverse("benefits:person_estimate", args=[person_here.pk]))
        other = client.get(reverse("benefits:person_estimate", args=[person_here.pk]), {"start": "2026-09"})
        bad = client.get(reverse("benefits:person_estimate", args=[person_here.pk]), {"start": "2026-13"})
    assert page.status_code == other.status_code == bad.status_code == 200
    assert "2026年05月" in page.content.decode() and "提交待遇申领" in page.content.decode()
    assert "2026年09月" in other.content.decode()
    assert "不是有效的年月" in bad.content.decode()


def test_estimate_offers_the_claim_only_when_the_submission_would_be_accepted(client, agent, clerk, person_here,
                                                                              town, poster):
    young = PersonFactory(birth_date=date(1975, 6, 1), town=town)
    yearly(young, range(2011, 2026), "200.00", by=poster)  # 15 years: eligible at 60, but 50 now
    button = "提交待遇申领</a>"
    client.force_login(agent)
    with at(2026, 4, 15):
        young_page = client.get(reverse("benefits:person_estimate", args=[young.pk])).content.decode()
        chosen = client.get(reverse("benefits:person_estimate", args=[person_here.pk]), {"start": "2026-09"})
        claim = services.claim_submit(person=person_here, by=agent)
        open_claim = client.get(reverse("benefits:person_estimate", args=[person_here.pk])).content.decode()
    assert "符合领取条件" in young_page and button not in young_page
    assert button not in chosen.content.decode()  # another start month than the claim would get
    assert button not in open_claim
    client.force_login(clerk)
    with at(2026, 4, 20):
        services.claim_return(claim=claim, by=clerk, reason="银行账号有误")
    client.force_login(agent)
    with at(2026, 4, 21):
        returned = client.get(reverse("benefits:person_estimate", args=[person_here.pk])).content.decode()
    assert button in returned
    assert "退回原因：银行账号有误" in returned


def test_person_page_section(client, clerk, person_here, pension_here):
    client.force_login(clerk)
    for person in (person_here, pension_here.person):
        response = client.get(reverse("enrollment:person_detail", args=[person.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "养老金待遇" in html
    assert "待遇测算" in client.get(reverse("enrollment:person_detail", args=[person_here.pk])).content.decode()
    assert "发放记录" in html


def _paid_lines(pension, months: int) -> None:
    """`months` paid lines of the pension, the latest for 2026-01, all in one run."""
    run, _ = PayrollRun.objects.get_or_create(month=JAN, defaults={"status": PayrollRun.Status.CLOSED})
    PayrollLine.objects.bulk_create(
        PayrollLine(run=run, pension=pension, person=pension.person, town=pension.person.town, month=m,
                    basic_amount=D("291.00"), account_amount=D("10.00"), amount=D("301.00"),
                    status=PayrollLine.Status.PAID, paid_on=m.replace(day=15), drawn_amount=D("10.00"))
        for m in (periods.add_months(JAN, -i) for i in range(months))
    )


def test_person_page_shows_a_year_of_payments_with_flat_queries_and_links_the_full_list(client, clerk, town):
    few, many = PensionFactory(person__town=town), PensionFactory(person__town=town)
    _paid_lines(few, 3)
    _paid_lines(many, 40)
    client.force_login(clerk)
    counts = {}
    for pension in (few, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("enrollment:person_detail", args=[pension.person.pk]))
        assert response.status_code == 200
        counts[pension.pk] = len(queries)
    assert counts[few.pk] == counts[many.pk]
    html = client.get(reverse("enrollment:person_detail", args=[many.person.pk])).content.decode()
    assert "发放记录（最近 12 条，共 40 条）" in html
    assert html.count("2025年02月") == 1 and "2025年01月" not in html  # 2026-01 back to 2025-02
    full_url = reverse("benefits:pension_payments", args=[many.pk])
    assert f'href="{full_url}"' in html and "查看全部 40 条发放记录" in html
    few_html = client.get(reverse("enrollment:person_detail", args=[few.person.pk])).content.decode()
    assert "发放记录（最近 3 条，共 3 条）" in few_html and "查看全部" not in few_html
    # 已列支: the account drawn by the paid lines (40 × 10.00)
    assert "已列支 400.00 元" in html
    full = client.get(full_url)
    assert full.status_code == 200
    page = full.content.decode()
    assert page.count('<td class="num">301.00</td>') == 40  # 2026-01 back to 2022-10, one page
    assert "2022年10月" in page and "2022年09月" not in page
    assert AccessLog.objects.filter(user=clerk, object_id=str(many.person_id), action="查看发放记录").exists()


def test_pages_link_to_the_person_and_the_pension(client, clerk, finance, claim_here, pension_here, run):
    client.force_login(clerk)
    person_url = reverse("enrollment:person_detail", args=[claim_here.person.pk])
    assert person_url in client.get(reverse("benefits:claim_detail", args=[claim_here.pk])).content.decode()
    with at(2026, 4, 15):
        assert person_url in client.get(reverse("benefits:person_estimate", args=[claim_here.person.pk])).content.decode()
        assert person_url in client.get(reverse("benefits:due_list"), {"month": "2026-04"}).content.decode()
    pension_person_url = reverse("enrollment:person_detail", args=[pension_here.person.pk])
    assert pension_person_url in client.get(reverse("benefits:pension_detail", args=[pension_here.pk])).content.decode()
    client.force_login(finance)
    detail = client.get(reverse("benefits:payroll_detail", args=[run.pk])).content.decode()
    assert reverse("benefits:pension_detail", args=[pension_here.pk]) in detail


def test_pensioner_import_page(client, clerk, town, poster, django_capture_on_commit_callbacks):
    person = PersonFactory(birth_date=date(1950, 1, 1), town=town)
    credit(person, "139.00", date(2015, 1, 1), by=poster, source=Source.PERSONAL)
    upload = xlsx(services.PENSIONER_HEADERS,
                  [[person.id_number, "2012-01", "291", "1.00", "139.00", "海南农信", "6217000011112222", ""]])
    client.force_login(clerk)
    assert client.get(reverse("benefits:pensioner_import")).status_code == 200
    template = client.get(reverse("benefits:pensioner_import_template"))
    header = next(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert list(header) == services.PENSIONER_HEADERS
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("benefits:pensioner_import"), {"file": upload})
    job = JobRun.objects.get(kind="benefits.import_pensioners")
    assert response["Location"] == reverse("org:import_result", args=[job.pk])
    assert job.status == JobRun.Status.SUCCEEDED
    assert Pension.objects.get(person=person).account_pension == D("1.00")
    result = client.get(response["Location"]).content.decode()
    assert "已导入 1 名待遇领取人员" in result


def test_pensioner_import_page_refuses_a_non_excel_file(client, clerk):
    client.force_login(clerk)
    upload = io.BytesIO(b"not excel")
    upload.name = "list.txt"
    response = client.post(reverse("benefits:pensioner_import"), {"file": upload})
    assert "请上传 Excel（.xlsx 或 97-2003 的 .xls）或 CSV 文件" in response.content.decode()
    assert not JobRun.objects.exists()


def test_payroll_start_page(client, finance, pension_here, django_capture_on_commit_callbacks):
    client.force_login(finance)
    with at(2026, 1, 20):
        assert client.get(reverse("benefits:payroll_list")).status_code == 200
        bad = client.post(reverse("benefits:payroll_start"), {"month": "2026-1x"}, follow=True)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("benefits:payroll_start"), {"month": "2026-01"})
    assert "不是有效的年月" in bad.content.decode()
    job = JobRun.objects.get()
    assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    assert job.status == JobRun.Status.SUCCEEDED and job.result == {"lines": 1, "total": "301.00", "created": 1, "suspended": 0, "backpay_lines": 0}


def test_payroll_start_refusals_are_shown_at_the_month_field_and_record_no_job(client, finance, pension_here):
    client.force_login(finance)
    with at(2026, 1, 20):
        future = client.post(reverse("benefits:payroll_start"), {"month": "2026-02"})
        services.payroll_generate(month=JAN, by=finance)  # January generated, not closed
    with at(2026, 2, 20):
        blocked = client.post(reverse("benefits:payroll_start"), {"month": "2026-02"})
    assert future.status_code == blocked.status_code == 200
    # At the month field: inside its field group (templates/forms/field.html).
    assert text(field_group(doc(future), "month").xpath('.//ul[@class="errorlist"]')[0]) == (
        "不能生成未来月份（2026年02月）的发放")
    assert text(field_group(doc(blocked), "month").xpath('.//ul[@class="errorlist"]')[0]) == (
        "2026年01月发放尚未回盘结束（已生成），不能生成2026年02月的发放")
    assert not JobRun.objects.exists()
    assert PayrollRun.objects.count() == 1


def test_manager_starts_the_payroll_from_its_page_and_watches_the_job(
    client, manager, finance, pension_here, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with at(2026, 1, 20):
        index = client.get(reverse("benefits:index")).content.decode()
        listing = client.get(reverse("benefits:payroll_list")).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("benefits:payroll_start"), {"month": "2026-01"})
    assert "生成2026年01月发放明细" in index and reverse("benefits:payroll_start") in index
    assert reverse("benefits:payroll_start") in listing
    job = JobRun.objects.get(kind="benefits.payroll")
    assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    assert (job.status, job.started_by, job.result) == (
        JobRun.Status.SUCCEEDED, manager, {"lines": 1, "total": "301.00", "created": 1, "suspended": 0, "backpay_lines": 0})
    assert client.get(response["Location"]).status_code == 200
    progress = client.get(reverse("org:jobrun_progress", args=[job.pk])).json()
    assert (progress["finished"], progress["percent"], progress["done"], progress["total"]) == (True, 100, 1, 1)
    run = PayrollRun.objects.get()
    assert run.generated_by == manager
    # the payroll page lists the job with a link to the run
    listing = client.get(reverse("benefits:payroll_list")).content.decode()
    assert reverse("benefits:payroll_detail", args=[run.pk]) in listing and "月度待遇发放（生成发放明细）" in listing
    # review, export and closing stay with finance: no buttons for the manager, and 403 if tried
    detail = client.get(reverse("benefits:payroll_detail", args=[run.pk])).content.decode()
    for name in ("benefits:payroll_review", "benefits:payroll_export", "benefits:payroll_close"):
        assert reverse(name, args=[run.pk]) not in detail
        assert client.post(reverse(name, args=[run.pk])).status_code == 403
    # any finance user may review it: none of them generated it
    client.force_login(finance)
    client.post(reverse("benefits:payroll_review", args=[run.pk]), {"note": "已核对"})
    run.refresh_from_db()
    assert (run.status, run.reviewed_by) == (PayrollRun.Status.REVIEWED, finance)


def test_the_generator_is_told_a_second_finance_user_reviews(client, finance, finance2, run):
    review_url = reverse("benefits:payroll_review", args=[run.pk])
    client.force_login(finance)
    html = client.get(reverse("benefits:payroll_detail", args=[run.pk])).content.decode()
    assert "本批发放明细由您生成，须由另一名财务人员复核" in html and review_url not in html
    client.force_login(finance2)
    html = client.get(reverse("benefits:payroll_detail", args=[run.pk])).content.decode()
    assert review_url in html and "须由另一名财务人员复核" not in html


def test_export_page_while_the_job_waits_and_on_refusal(client, finance, finance2, run):
    with at(2026, 1, 20):
        services.payroll_review(run=run, by=finance2)
    client.force_login(finance)
    refused_run = PayrollRun.objects.create(month=date(2025, 12, 1), status=PayrollRun.Status.CLOSED)
    refused = client.post(reverse("benefits:payroll_export", args=[refused_run.pk]), follow=True)
    assert "不能导出：2025年12月发放当前状态为“已发放”，复核后才能导出银行文件" in refused.content.decode()
    response = client.post(reverse("benefits:payroll_export", args=[run.pk]))  # not run: no on-commit here
    job = JobRun.objects.get(kind="benefits.payroll_export")
    assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    html = client.get(reverse("benefits:payroll_detail", args=[run.pk])).content.decode()
    assert "银行文件正在导出" in html and reverse("benefits:payroll_export", args=[run.pk]) not in html
    assert f"月度待遇发放（导出银行文件） #{job.pk}" in html
    again = client.post(reverse("benefits:payroll_export", args=[run.pk]), follow=True)
    assert "不能导出：2026年01月发放的银行文件正在导出" in again.content.decode()
    assert JobRun.objects.filter(kind="benefits.payroll_export").count() == 1


def test_payroll_review_export_download_and_close_through_the_pages(
    client, finance, finance2, run, django_capture_on_commit_callbacks
):
    client.force_login(finance)
    detail = client.get(reverse("benefits:payroll_detail", args=[run.pk]))
    assert detail.status_code == 200 and "2026年01月发放" in detail.content.decode()
    own = client.post(reverse("benefits:payroll_review", args=[run.pk]), follow=True)
    assert "生成发放明细的人员不能复核同一批发放" in own.content.decode()
    client.force_login(finance2)
    client.post(reverse("benefits:payroll_review", args=[run.pk]), {"note": "已核对"})
    with django_capture_on_commit_callbacks(execute=True):
        exported = client.post(reverse("benefits:payroll_export", args=[run.pk]))
    export_job = JobRun.objects.get(kind="benefits.payroll_export")
    assert exported["Location"] == reverse("org:jobrun_detail", args=[export_job.pk])
    assert export_job.status == JobRun.Status.SUCCEEDED, export_job.error
    assert export_job.result == {"month": "2026-01", "lines": 2, "total": "602.00"}
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.EXPORTED
    bank_file = PayrollBankFile.objects.get()
    download = client.get(reverse("benefits:bankfile_download", args=[bank_file.pk]))
    assert download.status_code == 200 and download.getvalue()[:2] == b"PK"
    template = client.get(reverse("benefits:payroll_return_template", args=[run.pk]))
    assert template.status_code == 200
    # bank files and the return template carry full ID numbers and accounts: each download is logged
    assert list(AccessLog.objects.filter(action="下载").order_by("pk").values_list("user__username", "object_type")) == [
        ("finance2", "benefits.payrollbankfile"), ("finance2", "benefits.payrollrun"),
    ]
    assert client.get(reverse("benefits:payroll_close", args=[run.pk])).status_code == 200
    upload = return_file(run)
    upload.name = "return.xlsx"
    with at(2026, 1, 25), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("benefits:payroll_close", args=[run.pk]), {"file": upload, "paid_on": "2026-01-24"})
    job = JobRun.objects.get(kind="benefits.payroll_close")
    assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert (job.result["paid"], job.result["failed"]) == (2, 0)
    run.refresh_from_db()
    assert (run.status, run.paid_on) == (PayrollRun.Status.CLOSED, date(2026, 1, 24))


def test_payroll_close_with_a_bad_file_fails_the_job_and_changes_nothing(
    client, finance, exported, django_capture_on_commit_callbacks
):
    client.force_login(finance)
    upload = xlsx(reports.RETURN_HEADERS, [[999999, "x", "1", "1", "成功", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("benefits:payroll_close", args=[exported.pk]), {"file": upload})
    job = JobRun.objects.get(kind="benefits.payroll_close")
    assert job.status == JobRun.Status.FAILED
    assert job.result["errors"]
    exported.refresh_from_db()
    assert exported.status == PayrollRun.Status.EXPORTED
    assert set(PayrollLine.objects.values_list("status", flat=True)) == {PayrollLine.Status.PENDING}
    page = client.get(reverse("benefits:payroll_detail", args=[exported.pk])).content.decode()
    assert "回盘文件有 2 处错误" in page and "“999999”不是本批发放的待支付明细" in page


# --- query counts --------------------------------------------------------------------------------------------


def test_lists_have_flat_query_counts(client, clerk, finance, agent, town, poster, django_assert_max_num_queries,
                                      settings):
    pensions = PensionFactory.create_batch(30, person__town=town)
    for i in range(30):
        person = PersonFactory(birth_date=date(1966, 4, 1 + i % 28), town=town)
        credit(person, "100.00", date(2020, 6, 1), by=poster)
        BenefitClaim.objects.create(person=person, start_month=date(2026, 5, 1), submitted_by=agent,
                                    status=BenefitClaim.Status.TOWN_REVIEWED)
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
    run = PayrollRun.objects.get()
    assert run.lines.count() == 30 and len(pensions) == 30
    client.force_login(clerk)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("benefits:claim_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("benefits:pension_list")).status_code == 200
    # The page's people are paged in the database (one COUNT) and only they are assessed.
    with at(2026, 4, 20), django_assert_max_num_queries(17):
        response = client.get(reverse("benefits:due_list"), {"month": "2026-04"})
    assert "（共 30 人）" in response.content.decode()
    assert len(response.context["page"].object_list) == 30
    results = [r.result for r in response.context["page"].object_list]
    assert results.count("backpay") == 30  # one year of 15, born 1966: all may still back-pay
    # Filtered by result, this month's list takes who had it from the kept figures (refreshed by the
    # figures job), pages them in the database and assesses only the page.
    settings.KEPT_FIGURES_MAX_AGE = 120
    with at(2026, 4, 20):
        figures_refresh("benefits.due_this_month")
    for result in ("eligible", "backpay", "short"):
        with at(2026, 4, 20), django_assert_max_num_queries(19):
            response = client.get(reverse("benefits:due_list"), {"month": "2026-04", "result": result})
        assert f"（共 {results.count(result)} 人）" in response.content.decode()
        assert [r.result for r in response.context["page"].object_list] == [result] * results.count(result)
    client.force_login(finance)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("benefits:payroll_detail", args=[run.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("benefits:payroll_list")).status_code == 200


def test_the_due_list_by_result_this_month_and_another_month_and_for_a_town_agent(
    client, clerk, agent, town, other_town, poster, settings
):
    """Filtered by result: this month from the kept figures (a town agent sees only the town's
    people), another month by assessing everyone; both show the same people as the list does."""
    settings.KEPT_FIGURES_MAX_AGE = 120
    eligible = PersonFactory(birth_date=date(1966, 4, 3), town=town)
    yearly(eligible, range(2011, 2026), "300.00", by=poster)
    short = PersonFactory(birth_date=date(1966, 4, 9), town=town)
    credit(short, "100.00", date(2020, 6, 1), by=poster)
    elsewhere = PersonFactory(birth_date=date(1966, 4, 5), town=other_town)
    yearly(elsewhere, range(2011, 2026), "300.00", by=poster)
    with at(2026, 4, 20):
        figures_refresh("benefits.due_this_month")
        client.force_login(clerk)
        county = client.get(reverse("benefits:due_list"), {"result": "eligible"})
        client.force_login(agent)
        mine = client.get(reverse("benefits:due_list"), {"result": "eligible"})
    assert {r.person for r in county.context["page"].object_list} == {eligible, elsewhere}
    assert "（共 2 人）" in county.content.decode()
    assert [r.person for r in mine.context["page"].object_list] == [eligible]
    assert "（共 1 人）" in mine.content.decode()
    # Another month (the list asked for April in May): everyone assessed, then filtered.
    with at(2026, 5, 20):
        client.force_login(clerk)
        april = client.get(reverse("benefits:due_list"), {"month": "2026-04", "result": "eligible"})
    assert {r.person for r in april.context["page"].object_list} == {eligible, elsewhere}


def test_the_paid_on_date_is_filled_in_a_format_the_browser_date_input_reads(client, finance, exported):
    """<input type="date"> reads only YYYY-MM-DD: the zh-hans display format (2026/01/25) left it empty.
    The page offers today; a form that comes back with an error keeps the date typed. Nothing is
    stored or started then."""
    with at(2026, 1, 25):
        client.force_login(finance)
        html = client.get(reverse("benefits:payroll_close", args=[exported.pk])).content.decode()
        assert 'type="date" name="paid_on" value="2026-01-25"' in html
        upload = io.BytesIO(b"not a workbook")
        upload.name = "return.txt"
        response = client.post(reverse("benefits:payroll_close", args=[exported.pk]),
                               {"file": upload, "paid_on": "2026-01-24"})
    html = response.content.decode()
    assert response.status_code == 200 and "请上传 Excel（.xlsx 或 97-2003 的 .xls）或 CSV 文件" in html
    assert 'type="date" name="paid_on" value="2026-01-24"' in html
    assert not JobRun.objects.filter(kind="benefits.payroll_close").exists()


def test_the_run_page_lists_one_town_at_a_time_and_a_search_looks_across_towns(
    client, finance, run, pension_here, pension_elsewhere, other_town
):
    """A county run has 60,000 lines: the page shows the first town's (临城镇) unless another is
    chosen, and a name search finds a line in any town."""
    url = reverse("benefits:payroll_detail", args=[run.pk])
    client.force_login(finance)
    html = client.get(url).content.decode()
    assert pension_here.person.name in html and pension_elsewhere.person.name not in html
    html = client.get(url, {"town": other_town.pk}).content.decode()
    assert pension_elsewhere.person.name in html and pension_here.person.name not in html
    html = client.get(url, {"q": pension_elsewhere.person.name}).content.decode()
    assert pension_elsewhere.person.name in html and "全部（查询姓名/身份证号时）" in html
