"""Month-end remittance to the fiscal special account (R18): each receipt once, runs add nothing twice."""

import io
import json
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from contributions import reports, selectors, services, tasks
from contributions.models import Receipt, Remittance
from linggao_pension.exports import workbook_bytes
from linggao_pension.org.models import JobRun
from tests.factories import PersonFactory, ReceiptFactory

from .conftest import at, nth_person

pytestmark = pytest.mark.django_db
D = Decimal


def confirmed(town, paid_on, grade="200.00", collective="0.00", sponsor="0.00", person=None, **kwargs):
    return ReceiptFactory(
        person=person or PersonFactory(town=town), paid_on=paid_on, grade=D(grade), collective_amount=D(collective),
        sponsor_amount=D(sponsor), status=Receipt.Status.CONFIRMED, confirmed_at=timezone.now(), **kwargs,
    )


def test_gathers_confirmed_premiums_up_to_month_end_with_town_breakdown(june_2026, town, other_town, finance):
    a = confirmed(town, date(2026, 4, 30), grade="300.00", collective="100.00")
    b = confirmed(other_town, date(2026, 5, 31), grade="500.00", sponsor="50.00")
    c = confirmed(town, date(2026, 5, 2), grade="100.00")
    late = confirmed(town, date(2026, 6, 1))  # next month
    pending = ReceiptFactory(person=PersonFactory(town=town), paid_on=date(2026, 5, 3))  # not confirmed
    legacy = confirmed(town, date(2026, 5, 3), legacy=True)
    voided = ReceiptFactory(person=PersonFactory(town=town), paid_on=date(2026, 5, 3), status=Receipt.Status.VOIDED,
                            void_reason="错", voided_at=timezone.now())  # fmt: skip

    assert services.remittance_generate(month=date(2026, 5, 1), by=finance) == {
        "created": 1, "receipts": 3, "total": "1050.00",
    }
    remittance = Remittance.objects.get()
    assert remittance.month == date(2026, 5, 1) and remittance.created_by == finance
    assert (remittance.personal_total, remittance.collective_total, remittance.sponsor_total) == (
        D("900.00"), D("100.00"), D("50.00"),
    )
    assert set(remittance.receipts.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    for r in (late, pending, legacy, voided):
        r.refresh_from_db()
        assert r.remittance_id is None
    rows = selectors.remittance_by_town(remittance=remittance)
    assert [(r["town"], r["receipts"], r["total"]) for r in rows] == [("临城镇", 2, D("500.00")), ("波莲镇", 1, D("550.00"))]
    assert sum(r["total"] for r in rows) == remittance.total_amount


def test_second_run_adds_nothing_and_next_month_takes_the_rest(june_2026, town, finance):
    confirmed(town, date(2026, 4, 10))
    assert services.remittance_generate(month=date(2026, 4, 1), by=finance)["created"] == 1
    late_confirmed = confirmed(town, date(2026, 4, 28))  # confirmed after April was remitted
    assert services.remittance_generate(month=date(2026, 4, 1), by=finance) == {"created": 0, "receipts": 0, "total": "0.00"}
    assert Remittance.objects.count() == 1
    assert services.remittance_generate(month=date(2026, 5, 1), by=None) == {"created": 1, "receipts": 1, "total": "200.00"}
    late_confirmed.refresh_from_db()
    assert late_confirmed.remittance.month == date(2026, 5, 1)


def test_a_month_never_run_is_picked_up_by_the_next_run(june_2026, town, finance):
    confirmed(town, date(2026, 2, 10))
    confirmed(town, date(2026, 3, 10))
    assert services.remittance_generate(month=date(2026, 3, 1), by=finance)["receipts"] == 2
    assert services.remittance_generate(month=date(2026, 2, 1), by=finance)["created"] == 0


def test_nothing_to_remit_creates_nothing_and_future_months_are_refused(june_2026, finance, agent):
    assert services.remittance_generate(month=date(2026, 5, 1), by=finance)["created"] == 0
    assert not Remittance.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.remittance_generate(month=date(2026, 7, 1), by=finance)
    assert exc.value.messages == ["不能生成以后月份（2026年07月）的上缴单"]
    with pytest.raises(PermissionDenied):
        services.remittance_generate(month=date(2026, 5, 1), by=agent)


def test_marking_remitted_needs_another_finance_user(june_2026, town, finance, finance2):
    confirmed(town, date(2026, 5, 10))
    services.remittance_generate(month=date(2026, 5, 1), by=finance)
    remittance = Remittance.objects.get()
    with pytest.raises(ValidationError) as exc:
        services.remittance_mark_remitted(remittance=remittance, voucher_no="V1", by=finance)
    assert exc.value.messages == ["上缴单由您生成，须由另一名财务人员确认已上缴（经办与复核分离）"]
    with pytest.raises(ValidationError) as exc:
        services.remittance_mark_remitted(remittance=remittance, voucher_no=" ", by=finance2)
    assert exc.value.message_dict == {"voucher_no": ["请填写银行凭证号"]}
    remittance.refresh_from_db()
    assert remittance.status == Remittance.Status.GENERATED
    services.remittance_mark_remitted(remittance=remittance, voucher_no="HNNX-0001", by=finance2)
    remittance.refresh_from_db()
    assert (remittance.status, remittance.voucher_no, remittance.remitted_by) == ("remitted", "HNNX-0001", finance2)
    with pytest.raises(ValidationError):
        services.remittance_mark_remitted(remittance=remittance, voucher_no="X", by=finance2)


def test_system_generated_remittance_may_be_marked_by_any_finance_user(june_2026, town, finance):
    confirmed(town, date(2026, 5, 10))
    services.remittance_generate(month=date(2026, 5, 1), by=None)
    remittance = services.remittance_mark_remitted(remittance=Remittance.objects.get(), voucher_no="V9", by=finance)
    assert remittance.status == Remittance.Status.REMITTED


def test_command_json_and_job(june_2026, town, capsys):
    confirmed(town, date(2026, 5, 10), grade="500.00")
    call_command("remit_premiums", "--month", "2026-05", "--json")
    assert json.loads(capsys.readouterr().out) == {"created": 1, "receipts": 1, "total": "500.00"}
    call_command("remit_premiums", "--month", "2026-05", "--json")
    assert json.loads(capsys.readouterr().out) == {"created": 0, "receipts": 0, "total": "0.00"}
    assert JobRun.objects.filter(kind="contributions.remit_premiums", status="succeeded").count() == 2


def test_beat_task_acts_only_on_the_last_day_of_the_month(town):
    with at(2026, 5, 20):
        confirmed(town, date(2026, 5, 10))
        assert tasks.remit_premiums_month_end() == "not month end"
    assert not Remittance.objects.exists()
    with at(2026, 5, 31, hour=22):
        assert tasks.remit_premiums_month_end() == JobRun.Status.SUCCEEDED
    assert Remittance.objects.get().month == date(2026, 5, 1)


def test_voucher_workbook_has_town_summary_and_receipt_list(june_2026, town, other_town, finance):
    confirmed(town, date(2026, 5, 10), grade="300.00")
    confirmed(other_town, date(2026, 5, 11), grade="100.00", collective="20.00")
    services.remittance_generate(month=date(2026, 5, 1), by=finance)
    wb = load_workbook(io.BytesIO(workbook_bytes(reports.remittance_workbook(Remittance.objects.get()))))
    summary = [row for row in wb["分镇汇总"].iter_rows(values_only=True)]
    assert summary[2] == ("镇/农场", "票据数", "个人缴费", "集体补助", "其他资助", "合计")
    assert summary[3][:2] == ("临城镇", 1) and summary[3][5] == 300
    assert summary[-1][0] == "合计（2 条）" and summary[-1][5] == 420
    details = list(wb["票据明细"].iter_rows(values_only=True))
    assert len(details) == 2 + 1 + 2 + 1  # heading lines, header, rows, totals
    assert "*" in details[3][3]  # ID numbers masked


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_create_one_remittance_and_take_each_receipt_once(town, other_town):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    for i in range(30):
        unit = town if i % 2 else other_town
        confirmed(unit, date(2026, 5, 1 + i % 28), person=nth_person(i, town=unit))
    results, errors = [], []
    barrier = threading.Barrier(3)

    def run(month):
        try:
            barrier.wait()
            results.append((month, services.remittance_generate(month=month, by=None)))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    months = [date(2026, 5, 1), date(2026, 5, 1), date(2026, 6, 1)]
    with at(2026, 6, 30, hour=22):
        threads = [threading.Thread(target=run, args=(m,)) for m in months]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert sum(r["receipts"] for _, r in results) == 30
    assert Receipt.objects.filter(remittance__isnull=True).count() == 0
    assert Remittance.objects.filter(month=date(2026, 5, 1)).count() <= 1
    total = sum(Remittance.objects.values_list("total_amount", flat=True), D("0"))
    assert total == D("6000.00")


def test_remittance_pdf_renders(june_2026, town, finance):
    confirmed(town, date(2026, 5, 10))
    services.remittance_generate(month=date(2026, 5, 1), by=finance)
    assert reports.remittance_pdf(Remittance.objects.get()).startswith(b"%PDF")



# --- The voucher files: written by the job, stored in MEDIA_ROOT, served as stored ---------------------


class Spy:
    """Wraps a report builder: records the remittance's status and voucher number at each call."""

    def __init__(self, monkeypatch, name):
        self.calls, self.real = [], getattr(reports, name)
        monkeypatch.setattr(reports, name, self)

    def __call__(self, remittance):
        self.calls.append((remittance.status, remittance.voucher_no))
        return self.real(remittance)


def test_the_job_writes_both_voucher_files_into_media_root(june_2026, town, finance, settings):
    confirmed(town, date(2026, 5, 10), grade="300.00")
    confirmed(town, date(2026, 5, 11), grade="100.00", collective="20.00")
    call_command("remit_premiums", "--month", "2026-05", "--json")
    remittance = Remittance.objects.get()
    assert remittance.voucher_xlsx.name == "remittances/remittance_2026-05.xlsx"
    assert remittance.voucher_pdf.name == "remittances/remittance_2026-05.pdf"
    assert (settings.MEDIA_ROOT / remittance.voucher_pdf.name).read_bytes().startswith(b"%PDF")
    wb = load_workbook(settings.MEDIA_ROOT / remittance.voucher_xlsx.name, read_only=True)
    heading = [row[0] for row in wb["票据明细"].iter_rows(max_row=2, values_only=True)]
    assert heading[1].startswith("票据 2 张　合计：420.00 元（肆佰贰拾元整）　生成：2026-06-15 10:00")
    assert len(list(wb["票据明细"].iter_rows(values_only=True))) == 2 + 1 + 2 + 1


def test_downloads_serve_the_stored_files_without_building_them_again(june_2026, client, town, finance, monkeypatch):
    confirmed(town, date(2026, 5, 10))
    services.remittance_generate(month=date(2026, 5, 1), by=finance)
    remittance = Remittance.objects.get()
    stored = {part: getattr(remittance, f"voucher_{part}").read() for part in ("xlsx", "pdf")}
    workbook, pdf = Spy(monkeypatch, "remittance_workbook"), Spy(monkeypatch, "remittance_pdf")
    client.force_login(finance)
    xlsx = client.get(f"/contributions/remittances/{remittance.pk}/xlsx/")
    assert xlsx.status_code == 200 and xlsx.getvalue() == stored["xlsx"]
    assert "attachment" in xlsx["Content-Disposition"] and "2026-05.xlsx" in xlsx["Content-Disposition"]
    response = client.get(f"/contributions/remittances/{remittance.pk}/pdf/")
    assert response.getvalue() == stored["pdf"] and response["Content-Type"] == "application/pdf"
    assert workbook.calls == [] and pdf.calls == []


def test_a_remittance_without_stored_vouchers_gets_them_on_first_download_once(june_2026, client, town, finance, monkeypatch):
    confirmed(town, date(2026, 5, 10))
    services.remittance_generate(month=date(2026, 5, 1), by=finance, vouchers=False)  # e.g. the demo data
    remittance = Remittance.objects.get()
    assert not remittance.voucher_xlsx and not remittance.voucher_pdf
    workbook = Spy(monkeypatch, "remittance_workbook")
    client.force_login(finance)
    first = client.get(f"/contributions/remittances/{remittance.pk}/xlsx/")
    second = client.get(f"/contributions/remittances/{remittance.pk}/xlsx/")
    first_bytes = first.getvalue()  # a streamed response: read once
    assert first_bytes[:2] == b"PK" and second.getvalue() == first_bytes
    assert workbook.calls == [("generated", "")]
    remittance.refresh_from_db()
    assert remittance.voucher_xlsx.read() == first_bytes and not remittance.voucher_pdf


def test_a_rerun_of_the_month_writes_vouchers_the_first_run_did_not(june_2026, town, finance):
    confirmed(town, date(2026, 5, 10))
    services.remittance_generate(month=date(2026, 5, 1), by=finance, vouchers=False)
    assert services.remittance_generate(month=date(2026, 5, 1), by=finance) == {"created": 0, "receipts": 0, "total": "0.00"}
    remittance = Remittance.objects.get()
    assert remittance.voucher_xlsx and remittance.voucher_pdf


def test_marking_remitted_rewrites_the_pdf_with_the_voucher_number_not_the_excel(june_2026, town, finance, finance2, monkeypatch):
    confirmed(town, date(2026, 5, 10))
    services.remittance_generate(month=date(2026, 5, 1), by=finance)
    remittance = Remittance.objects.get()
    xlsx_before = remittance.voucher_xlsx.read()
    workbook, pdf = Spy(monkeypatch, "remittance_workbook"), Spy(monkeypatch, "remittance_pdf")
    services.remittance_mark_remitted(remittance=remittance, voucher_no="HNNX-88", by=finance2)
    assert pdf.calls == [("remitted", "HNNX-88")] and workbook.calls == []
    remittance.refresh_from_db()
    assert remittance.voucher_pdf.name == "remittances/remittance_2026-05.pdf"  # replaced, not a second file
    assert remittance.voucher_xlsx.read() == xlsx_before
