"""No 500 on any input, nothing half-saved (issue 9): property-based tests (hypothesis, profile in
conftest.py) for ID numbers, amounts, months, dates, ids in URLs and filters, and every Excel import.

HYPOTHESIS_PROFILE=thorough runs 300 examples per property instead of the suite's 15.
"""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from benefits.models import PayrollRun, Pension
from contributions.models import AccountEntry, Receipt, Remittance
from enrollment.models import Person
from enrollment.rules import validate_id_number
from linggao_pension import money, periods
from linggao_pension.imports import FileFormatError, cell_date
from linggao_pension.inputs import parse_id
from linggao_pension.org.models import JobRun

pytestmark = pytest.mark.django_db

NASTY = ["=1+1", "=A1*2", "1e30", "1E+30", "-1e30", "¹²³", "٣", "４６９０２４", "2026-13", "99999-01",
         "99999999999999999999-01", "2026-99999999999999999999", "NaN", "Infinity", "-0", " ", "0x10", "1_000",
         "460028198001011237", "46002819800101123X", "2026-03", "2026-03-15", "300", "300.005", "—", "\x00"]
cells = st.one_of(
    st.none(), st.text(max_size=25), st.integers(min_value=-10**25, max_value=10**25),
    st.floats(allow_nan=False, allow_infinity=False), st.dates(), st.datetimes(min_value=datetime(1900, 1, 1)),
    st.sampled_from(NASTY), st.booleans(),
)
texts = st.one_of(st.text(max_size=40), st.sampled_from(NASTY),
                  st.integers(min_value=-10**30, max_value=10**30).map(str))


def xlsx(headers, rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        # characters a worksheet cannot hold at all (control characters) cannot come in a real file either
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "fuzz.xlsx"
    return buffer


# --- the parsers: a value or ValueError, never anything else ---------------------------------------------


@given(texts)
def test_month_parsing(text):
    try:
        month = periods.parse_month(text)
    except ValueError as exc:
        assert "年月" in str(exc)
    else:
        assert periods.MONTH_MIN <= month <= periods.MONTH_MAX and month.day == 1
        periods.add_months(month, 1), periods.add_months(month, -1)  # arithmetic stays in the calendar


@given(st.one_of(texts, st.floats(), st.integers(), st.decimals()))
def test_amount_parsing(value):
    try:
        amount = money.parse(value)
    except ValueError as exc:
        assert "金额" in str(exc)
    else:
        assert amount.is_finite() and abs(amount) < money.MONEY_LIMIT and amount == amount.quantize(money.CENT)


@given(st.one_of(texts, st.from_regex(r"\A[0-9]{17}[0-9Xx]\Z")))
def test_id_number_validation(text):
    try:
        assert len(validate_id_number(text, today=date(2026, 3, 10))) == 18
    except ValueError as exc:
        assert "身份证号" in str(exc)


@given(st.one_of(cells, texts))
def test_cell_dates_and_ids(value):
    try:
        assert isinstance(cell_date(value), date)
    except ValueError:
        pass
    try:
        assert 0 < parse_id(value) < 2**63
    except ValueError as exc:
        assert "编号" in str(exc)


# --- pages: month fields, ids in URLs and list filters ----------------------------------------------------


@given(month=texts)
def test_month_fields_on_pages(client, finance, clerk, month):
    client.force_login(finance)
    runs, remittances, jobs = PayrollRun.objects.count(), Remittance.objects.count(), JobRun.objects.count()
    for name in ("benefits:payroll_start", "contributions:remittance_start"):
        response = client.post(reverse(name), {"month": month})
        assert response.status_code in (200, 302)
    for name in ("benefits:due_list", "benefits:due_export"):
        assert client.get(reverse(name), {"month": month}).status_code == 200
    try:
        valid = periods.parse_month(month)
    except ValueError:
        valid = None
    if valid is None:
        assert (PayrollRun.objects.count(), Remittance.objects.count(), JobRun.objects.count()) == (
            runs, remittances, jobs)


def test_a_huge_month_on_the_payroll_page_is_a_clear_error(client, finance):
    client.force_login(finance)
    response = client.post(reverse("benefits:payroll_start"), {"month": "99999999999999999999-01"})
    assert response.status_code == 200 and "不是有效的年月" in response.content.decode()
    response = client.post(reverse("benefits:payroll_start"), {"month": "2999-01"})
    assert "超出范围" in response.content.decode()
    assert not JobRun.objects.exists() and not PayrollRun.objects.exists()


@given(start=texts)
def test_the_estimate_page(client, clerk, town, start):
    from tests.factories import PersonFactory

    person = Person.objects.filter(town=town).first() or PersonFactory(town=town, age=58)
    client.force_login(clerk)
    response = client.get(reverse("benefits:person_estimate", args=[person.pk]), {"start": start})
    assert response.status_code == 200


@given(value=st.one_of(st.integers(min_value=10**18, max_value=10**40).map(str), st.sampled_from(NASTY)))
def test_ids_in_list_filters_and_urls(client, clerk, value):
    client.force_login(clerk)
    for name, param in (("contributions:receipt_list", "person"), ("contributions:receipt_list", "remittance"),
                        ("contributions:receipt_list", "town"), ("contributions:receipt_list", "year"),
                        ("enrollment:person_list", "town"), ("enrollment:person_list", "village"),
                        ("benefits:claim_list", "town"), ("benefits:pension_list", "town")):
        assert client.get(reverse(name), {param: value}).status_code == 200, (name, param)


def test_a_20_digit_id_in_a_filter_and_a_url(client, clerk):
    client.force_login(clerk)
    huge = "9" * 20
    response = client.get(reverse("contributions:receipt_list"), {"person": huge, "town": huge})
    assert response.status_code == 200
    for url in (f"/enrollment/persons/{huge}/", f"/benefits/claims/{huge}/", f"/contributions/receipts/{huge}/pdf/",
                f"/org/jobs/{huge}/"):
        assert client.get(url).status_code == 404, url


# --- every Excel import: random cells, formulas, wrong types, empty sheets -----------------------------------


def _counts():
    return (Person.objects.count(), Receipt.objects.count(), AccountEntry.objects.count(), Pension.objects.count())


def _import_never_fails_badly(run, headers, rows):
    before = _counts()
    try:
        result = run(xlsx(headers, rows))
    except (FileFormatError, ValidationError):
        assert _counts() == before
        return
    if not result.ok:
        assert _counts() == before and all(e.message for e in result.errors)


row_lists = st.lists(st.lists(cells, min_size=0, max_size=14), max_size=6)


@given(rows=row_lists, with_header=st.booleans())
def test_the_receipt_import(clerk, rows, with_header):
    from contributions.services import IMPORT_HEADERS, receipts_import

    _import_never_fails_badly(lambda f: receipts_import(file=f, by=clerk), IMPORT_HEADERS if with_header else None,
                              rows)


@given(rows=row_lists)
def test_the_residents_import(clerk, rows):
    from enrollment.resident_import import HEADERS
    from enrollment.services import residents_import

    _import_never_fails_badly(lambda f: residents_import(file=f, by=clerk), HEADERS, rows)


@given(rows=row_lists)
def test_the_pensioners_import(clerk, rows):
    from benefits.services import PENSIONER_HEADERS, pensioners_import

    _import_never_fails_badly(lambda f: pensioners_import(file=f, by=clerk), PENSIONER_HEADERS, rows)


@pytest.fixture
def exported_run(finance, finance2):
    from benefits import services
    from tests.benefits.conftest import at
    from tests.factories import PensionFactory

    PensionFactory.create_batch(2)
    with at(2026, 1, 20):
        services.payroll_generate(month=date(2026, 1, 1), by=finance)
        run = services.payroll_review(run=PayrollRun.objects.get(), by=finance2)
        services.payroll_export(run=run, by=finance)
    return run


@given(rows=row_lists)
def test_the_bank_return_file(finance, exported_run, rows):
    from benefits.reports import RETURN_HEADERS
    from benefits.services import payroll_close

    lines_before = list(exported_run.lines.values_list("pk", "status"))
    try:
        result = payroll_close(run=exported_run, file=xlsx(RETURN_HEADERS, rows), by=finance)
    except (FileFormatError, ValidationError):
        result = None
    if result is None or not result.ok:
        assert list(exported_run.lines.values_list("pk", "status")) == lines_before


def test_a_superscript_digit_in_a_return_file_is_a_row_error(finance, exported_run):
    from benefits.reports import RETURN_HEADERS
    from benefits.services import payroll_close

    line = exported_run.lines.first()
    result = payroll_close(run=exported_run, file=xlsx(RETURN_HEADERS, [
        ["¹" + str(line.pk), line.person.id_number, line.bank_account, str(line.amount), "成功", ""]]), by=finance)
    assert not result.ok and any(e.column == "流水号" for e in result.errors)


def test_1e30_as_an_amount_in_an_import_is_a_row_error(clerk):
    from contributions.services import IMPORT_HEADERS, receipts_import

    result = receipts_import(file=xlsx(IMPORT_HEADERS, [["469024198503150012", 2026, 1e30, "2026-03-15", "2", "B1"]]),
                             by=clerk)
    assert not result.ok and any("金额" in e.message or "档次" in e.message for e in result.errors)
    assert not Receipt.objects.exists()


# --- upload size and unreadable files through the pages ----------------------------------------------------


@pytest.mark.parametrize(("name", "user"), [("enrollment:import_upload", "clerk"), ("benefits:pensioner_import", "clerk"),
                                            ("contributions:receipt_import", "clerk")])
def test_an_upload_above_the_limit_is_refused_with_a_clear_message(client, request, settings, name, user):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(request.getfixturevalue(user))
    response = client.post(reverse(name), {"file": SimpleUploadedFile("big.xlsx", b"PK" + b"0" * 4096)})
    assert response.status_code == 200
    assert "上传文件不能超过" in response.content.decode()
    assert not JobRun.objects.exists()


@pytest.mark.parametrize("content", [b"", b"not an excel file", b"PK\x03\x04broken", xlsx(None, []).getvalue()])
def test_unreadable_and_empty_files_through_the_pages(client, clerk, settings, content,
                                                      django_capture_on_commit_callbacks):
    settings.JOB_EAGER_MODE = "sync"
    client.force_login(clerk)
    before = _counts()
    for name in ("enrollment:import_upload", "benefits:pensioner_import", "contributions:receipt_import"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse(name), {"file": SimpleUploadedFile("x.xlsx", content)})
        assert response.status_code in (200, 302), name
    assert _counts() == before
    assert all(job.status == JobRun.Status.FAILED for job in JobRun.objects.all())
    assert Decimal("0") == sum((r.total_amount for r in Receipt.objects.all()), Decimal("0"))
