"""The monthly payroll: one line per pensioner and month, arrears after a standard change (R9),
bank files whose headers match the lines, the return file, re-issue of failed payments, the
drawdown of the account (R8), the beat job and the command."""

import io
import json
import threading
import time
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from benefits import reports, selectors, services
from benefits.models import (
    AgeExtra,
    BasicPensionStandard,
    BenefitClaim,
    PayrollBankFile,
    PayrollLine,
    PayrollRun,
    Pension,
)
from contributions.models import AccountEntry, EntryKind, Source
from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.org import roles
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import jobrun_execute
from tests.conftest import make_user
from tests.factories import PensionFactory, PersonFactory

from .conftest import at, pay_month, return_file, yearly

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
K, L = PayrollLine.Kind, PayrollLine.Status


def lines_of(month):
    return list(
        PayrollLine.objects.filter(run__month=month).order_by("pension_id", "month", "kind")
        .values_list("pension_id", "month", "kind", "basic_amount", "account_amount", "amount")
    )


def test_one_line_per_pensioner_and_a_second_run_adds_nothing(finance):
    pensions = PensionFactory.create_batch(3)  # 2026-01: basic 163 + 128 = 291, account 10.00
    with at(2026, 1, 20):
        first = services.payroll_generate(month=JAN, by=finance)
        second = services.payroll_generate(month=JAN, by=finance)
    assert first == {"lines": 3, "total": "903.00", "created": 3, "suspended": 0, "backpay_lines": 0}
    assert second == {"lines": 3, "total": "903.00", "created": 0, "suspended": 0, "backpay_lines": 0}
    assert lines_of(JAN) == [(p.pk, JAN, K.NORMAL, D("291.00"), D("10.00"), D("301.00")) for p in pensions]
    line = PayrollLine.objects.get(pension=pensions[0])
    assert (line.bank_name, line.bank_account, line.town_id) == (
        pensions[0].person.bank_name, pensions[0].person.bank_account, pensions[0].person.town_id)
    run = PayrollRun.objects.get()
    assert run.generated_by == finance
    assert run.status_changes.count() == 3  # created, then one note per generation


def test_the_database_refuses_a_second_line_for_a_pension_and_month(finance):
    PensionFactory()
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
    line = PayrollLine.objects.get()
    line.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_command_prints_the_json_the_issue_names(finance):
    PensionFactory.create_batch(2)
    out = StringIO()
    with at(2026, 1, 20):
        call_command("run_payroll", "--month", "2026-01", "--json", stdout=out)
        again = StringIO()
        call_command("run_payroll", "--month", "2026-01", "--json", stdout=again)
    assert json.loads(out.getvalue()) == {"lines": 2, "total": "602.00", "created": 2, "suspended": 0, "backpay_lines": 0}
    assert json.loads(again.getvalue()) == {"lines": 2, "total": "602.00", "created": 0, "suspended": 0, "backpay_lines": 0}
    assert JobRun.objects.filter(kind="benefits.payroll", status=JobRun.Status.SUCCEEDED).count() == 2


def test_command_exits_non_zero_on_refusal(finance, finance2):
    PensionFactory()
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
        services.payroll_review(run=PayrollRun.objects.get(), by=finance2)
        with pytest.raises(CommandError) as exc:
            call_command("run_payroll", "--month", "2026-01", "--json")
    assert "已复核" in str(exc.value)
    assert JobRun.objects.get(kind="benefits.payroll").status == JobRun.Status.FAILED


def test_a_late_determination_is_caught_up_month_by_month(finance):
    """Start 2025-11, first payroll 2026-01: Nov and Dec at 143 + 128 = 271, Jan at 291; account 10 each."""
    pension = PensionFactory(start_month=date(2025, 11, 1))
    with at(2026, 1, 20):
        result = services.payroll_generate(month=JAN, by=finance)
    assert result == {"lines": 3, "total": str(D("281") * 2 + D("301")) + ".00", "created": 3, "suspended": 0, "backpay_lines": 0}
    assert lines_of(JAN) == [
        (pension.pk, date(2025, 11, 1), K.NORMAL, D("271.00"), D("10.00"), D("281.00")),
        (pension.pk, date(2025, 12, 1), K.NORMAL, D("271.00"), D("10.00"), D("281.00")),
        (pension.pk, JAN, K.NORMAL, D("291.00"), D("10.00"), D("301.00")),
    ]


def test_suspended_stopped_and_future_pensions_get_no_line(finance, clerk):
    """A stopped pension (death: R11) is settled by the death process, not by the payroll."""
    paid = PensionFactory()
    PensionFactory(person__status=Person.Status.BENEFIT_SUSPENDED)
    stopped = PensionFactory(start_month=date(2025, 12, 1))
    services.pension_stop(pension=stopped, last_month=date(2025, 12, 20), by=clerk, reason="死亡（1401）")
    PensionFactory(start_month=FEB)
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
    assert [(p, m) for p, m, *_ in lines_of(JAN)] == [(paid.pk, JAN)]


def test_age_extra_is_paid_from_the_month_after_the_birthday(finance):
    AgeExtra.objects.create(min_age=70, effective_from=date(2020, 1, 1), amount=D("5.00"))
    # born 1955-12-10: 70 in December 2025 → from January 2026
    pension = PensionFactory(person__birth_date=date(1955, 12, 10), start_month=date(2025, 12, 1))
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
    assert [(m, b) for _, m, _, b, _, _ in lines_of(JAN)] == [(date(2025, 12, 1), D("271.00")), (JAN, D("296.00"))]
    assert pension.pk


# --- refusals and maker-checker -----------------------------------------------------------------------------


def test_refusals(finance, finance2):
    PensionFactory()
    with at(2026, 1, 20):
        with pytest.raises(ValidationError) as exc:
            services.payroll_generate(month=FEB, by=finance)
        assert exc.value.messages == ["不能生成未来月份（2026年02月）的发放"]
        services.payroll_generate(month=JAN, by=finance)
        run = PayrollRun.objects.get()
        with pytest.raises(ValidationError) as exc:
            services.payroll_review(run=run, by=finance)
        assert exc.value.messages == ["生成发放明细的人员不能复核同一批发放"]
        with pytest.raises(ValidationError):
            services.payroll_export(run=run, by=finance)  # not reviewed yet
    with at(2026, 2, 20), pytest.raises(ValidationError) as exc:
        services.payroll_generate(month=FEB, by=finance)
    assert exc.value.messages == ["2026年01月发放尚未回盘结束（已生成），不能生成2026年02月的发放"]
    assert PayrollRun.objects.count() == 1


def test_a_clerk_cannot_generate_and_review_needs_a_second_finance_user(clerk, finance, finance2):
    PensionFactory()
    with at(2026, 1, 20):
        with pytest.raises(PermissionDenied):
            services.payroll_generate(month=JAN, by=clerk)
        services.payroll_generate(month=JAN, by=finance)
        run = services.payroll_review(run=PayrollRun.objects.get(), by=finance2, note="已核对")
    assert (run.status, run.reviewed_by) == (PayrollRun.Status.REVIEWED, finance2)
    with at(2026, 1, 21), pytest.raises(ValidationError) as exc:
        services.payroll_generate(month=JAN, by=finance)
    assert exc.value.messages == ["2026年01月发放已复核，不能再生成"]


# --- bank files and the return file ----------------------------------------------------------------------


def test_bank_files_one_per_bank_with_count_and_total_matching_the_lines(finance, finance2):
    PensionFactory.create_batch(2, person__bank_name="海南农信")
    PensionFactory(person__bank_name="中国农业银行", account_pension=D("12.34"))
    PensionFactory(person__bank_account="")  # no account: not in any file
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
        run = services.payroll_review(run=PayrollRun.objects.get(), by=finance2)
        files = services.payroll_export(run=run, by=finance)
    assert [(f.bank_name, f.line_count, f.total) for f in files] == [
        ("中国农业银行", 1, D("303.34")), ("海南农信", 2, D("602.00")),
    ]
    for bank_file in PayrollBankFile.objects.all():
        ws = load_workbook(bank_file.file.open("rb"), read_only=True).active
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][0] == "临高县城乡居民基本养老保险待遇代发"
        assert rows[2][0] == f"笔数：{bank_file.line_count}"
        assert rows[3][0] == f"金额合计：{bank_file.total}"
        assert list(rows[4]) == ["流水号", "姓名", "身份证号", "银行账号", "金额", "费款所属期", "类型"]
        body = rows[5:-1]
        lines = PayrollLine.objects.filter(run=run, bank_name=bank_file.bank_name).exclude(bank_account="")
        assert len(body) == lines.count() == bank_file.line_count
        assert sum(D(str(r[4])) for r in body) == sum(ln.amount for ln in lines) == bank_file.total
        assert {r[0] for r in body} == {ln.pk for ln in lines}
        assert rows[-1][0] == f"合计（{bank_file.line_count} 条）" and D(str(rows[-1][4])) == bank_file.total
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.EXPORTED


def test_export_runs_as_a_job_and_stores_the_bank_files_and_the_return_template(finance, finance2):
    PensionFactory.create_batch(2, person__bank_name="海南农信")
    PensionFactory(person__bank_name="中国农业银行")
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
        run = services.payroll_review(run=PayrollRun.objects.get(), by=finance2)
        job = services.payroll_export_start(run=run, by=finance)
        with pytest.raises(ValidationError) as exc:
            services.payroll_export_start(run=run, by=finance2)  # the button pressed again while it waits
        assert exc.value.messages == ["2026年01月发放的银行文件正在导出，请在任务完成后查看"]
        jobrun_execute(job=job)
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert job.result == {"month": "2026-01", "lines": 3, "total": "903.00"}
    assert job.counts == {"files": 2, "lines": 3}
    assert (job.progress_done, job.progress_total) == (3, 3)
    run.refresh_from_db()
    assert (run.status, run.exported_by) == (PayrollRun.Status.EXPORTED, finance)
    # the return template is stored with the bank files: the same lines, 结果 and 失败原因 empty
    ws = load_workbook(run.return_template.open("rb")).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == reports.RETURN_HEADERS
    lines = {ln.pk: ln for ln in PayrollLine.objects.filter(run=run).select_related("person")}
    assert sorted(r[0] for r in rows[1:]) == sorted(lines)
    for pk, id_number, account, amount, outcome, reason in rows[1:]:
        assert (id_number, account, D(str(amount)), outcome, reason) == (
            lines[pk].person.id_number, lines[pk].bank_account, D("301.00"), None, None)
    assert ws["B2"].number_format == ws["C2"].number_format == "@"
    assert services.return_template_bytes(run) == run.return_template.open("rb").read()


def test_a_second_export_stores_nothing_and_only_finance_exports(clerk, manager, finance, finance2):
    PensionFactory.create_batch(2)
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
        run = PayrollRun.objects.get()
        with pytest.raises(ValidationError) as exc:
            services.payroll_export_start(run=run, by=finance)
        assert exc.value.messages == ["2026年01月发放当前状态为“已生成”，复核后才能导出银行文件"]
        services.payroll_review(run=run, by=finance2)
        for user in (clerk, manager):
            with pytest.raises(PermissionDenied):
                services.payroll_export_start(run=run, by=user)
        first = services.payroll_export_start(run=run, by=finance)
        second = JobRun.objects.create(kind=services.EXPORT_JOB, started_by=finance2, params={"run": run.pk})
        jobrun_execute(job=first)
        with pytest.raises(ValidationError):
            jobrun_execute(job=second)
    second.refresh_from_db()
    assert second.status == JobRun.Status.FAILED
    assert second.error == "2026年01月发放当前状态为“已导出”，复核后才能导出银行文件"
    assert PayrollBankFile.objects.count() == 1
    assert run.status_changes.filter(to_status=PayrollRun.Status.EXPORTED).count() == 1


def test_return_file_closes_the_run_and_the_failed_line_is_reissued_next_month(finance, finance2):
    ok = PensionFactory()
    bad = PensionFactory()
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
        run = services.payroll_review(run=PayrollRun.objects.get(), by=finance2)
        services.payroll_export(run=run, by=finance)
        bad_line = PayrollLine.objects.get(pension=bad)
        result = services.payroll_close(run=run, file=return_file(run, {bad_line.pk: "账户已销户"}), by=finance,
                                        paid_on=date(2026, 1, 25))
    assert result.ok and result.imported == 2
    run.refresh_from_db()
    assert (run.status, run.paid_on) == (PayrollRun.Status.CLOSED, date(2026, 1, 25))
    good_line = PayrollLine.objects.get(pension=ok)
    assert (good_line.status, good_line.paid_on, good_line.drawn_amount) == (L.PAID, date(2026, 1, 25), D("10.00"))
    bad_line.refresh_from_db()
    assert (bad_line.status, bad_line.failure_reason, bad_line.drawn_amount) == (L.FAILED, "账户已销户", D("0"))
    # drawdown of the paid month: start {personal 1000, province 390}; province keeps round(390 × 1380 / 1390)
    # = 387.19 → 2.81; the residue 7.19 from 个人缴费
    entries = AccountEntry.objects.filter(kind=EntryKind.PENSION).order_by("source")
    assert list(entries.values_list("person_id", "source", "amount", "entry_date", "year")) == [
        (ok.person_id, Source.PERSONAL, D("-7.19"), date(2026, 1, 25), 2026),
        (ok.person_id, Source.PROVINCE, D("-2.81"), date(2026, 1, 25), 2026),
    ]
    with at(2026, 2, 20):
        result = services.payroll_generate(month=FEB, by=finance)
        again = services.payroll_generate(month=FEB, by=finance)
    assert result == {"lines": 3, "total": "903.00", "created": 3, "suspended": 0, "backpay_lines": 0}
    assert again["created"] == 0
    assert lines_of(FEB) == [
        (ok.pk, FEB, K.NORMAL, D("291.00"), D("10.00"), D("301.00")),
        (bad.pk, JAN, K.REISSUE, D("291.00"), D("10.00"), D("301.00")),
        (bad.pk, FEB, K.NORMAL, D("291.00"), D("10.00"), D("301.00")),
    ]
    assert PayrollLine.objects.get(kind=K.REISSUE).reissue_of == bad_line


def test_bad_return_file_is_refused_whole_and_nothing_changes(finance, finance2):
    PensionFactory.create_batch(3)
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
        run = services.payroll_review(run=PayrollRun.objects.get(), by=finance2)
        services.payroll_export(run=run, by=finance)
    first, second, third = PayrollLine.objects.order_by("pk")
    wb = load_workbook(return_file(run))
    ws = wb.active
    ws["D2"] = 300.00  # wrong amount for the first line
    ws["E3"] = "失败"  # failed without a reason
    ws.delete_rows(4)  # the third line missing
    ws.append([999999, "x", "1", 1, "成功", ""])  # not a line of this run
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    result = services.payroll_close(run=run, file=buffer, by=finance)
    assert not result.ok
    messages = {(e.row, e.column, e.message) for e in result.errors}
    assert (2, "金额", "与发放明细金额 301.00 不一致") in messages
    assert (3, "失败原因", "结果为“失败”时必须填写失败原因") in messages
    assert (4, "流水号", "“999999”不是本批发放的待支付明细") in messages
    assert (0, "流水号", f"回盘文件缺少 1 条明细（如流水号 {third.pk}）") in messages
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.EXPORTED
    assert set(PayrollLine.objects.values_list("status", flat=True)) == {L.PENDING}
    assert not AccountEntry.objects.filter(kind=EntryKind.PENSION).exists()


def test_a_line_without_a_bank_account_fails_at_closing_and_is_reissued(finance, finance2):
    pension = PensionFactory(person__bank_account="")
    PensionFactory()
    with at(2026, 1, 20):
        run = pay_month(JAN, finance=finance, finance2=finance2)
    line = PayrollLine.objects.get(pension=pension)
    assert (line.status, line.failure_reason) == (L.FAILED, services.NO_ACCOUNT_REASON)
    assert run.status == PayrollRun.Status.CLOSED
    Person.objects.filter(pk=pension.person_id).update(bank_account="6217000099998888")
    with at(2026, 2, 20):
        services.payroll_generate(month=FEB, by=finance)
    reissue = PayrollLine.objects.get(kind=K.REISSUE)
    assert (reissue.month, reissue.bank_account, reissue.reissue_of) == (JAN, "6217000099998888", line)


# --- arrears after a standard change (R9) ------------------------------------------------------------------


def test_arrears_for_every_month_already_paid_after_a_retroactive_standard(finance, finance2):
    """Nov and Dec 2025 paid at 143 + 128 = 271. On 2026-01-10 a standard 153 + 128 = 281 from 2025-11
    is added: the January run pays January (291, the 2026 standard) and 补发 10 for Nov and for Dec."""
    pension = PensionFactory(start_month=date(2025, 11, 1))
    with at(2025, 11, 20):
        pay_month(date(2025, 11, 1), finance=finance, finance2=finance2)
    with at(2025, 12, 20):
        pay_month(date(2025, 12, 1), finance=finance, finance2=finance2)
    with at(2026, 1, 10):
        BasicPensionStandard.objects.create(effective_from=date(2025, 11, 1), central_part=D("153"),
                                            provincial_part=D("128"), note="追溯提高")
    with at(2026, 1, 20):
        result = services.payroll_generate(month=JAN, by=finance)
        again = services.payroll_generate(month=JAN, by=finance)
    assert result == {"lines": 3, "total": "321.00", "created": 3, "suspended": 0, "backpay_lines": 0}
    assert again["created"] == 0
    assert lines_of(JAN) == [
        (pension.pk, date(2025, 11, 1), K.ARREARS, D("10.00"), D("0.00"), D("10.00")),
        (pension.pk, date(2025, 12, 1), K.ARREARS, D("10.00"), D("0.00"), D("10.00")),
        (pension.pk, JAN, K.NORMAL, D("291.00"), D("10.00"), D("301.00")),
    ]
    with at(2026, 1, 20):
        run = PayrollRun.objects.get(month=JAN)
        services.payroll_review(run=run, by=finance2)
        services.payroll_export(run=run, by=finance)
        services.payroll_close(run=run, file=return_file(run), by=finance)
    # an admin edit of the 2026 standard (163 → 173) after January was paid: February pays 10 for January
    with at(2026, 2, 5):
        standard = BasicPensionStandard.objects.get(effective_from=JAN)
        standard.central_part = D("173")
        standard.save()
    with at(2026, 2, 20):
        services.payroll_generate(month=FEB, by=finance)
    assert lines_of(FEB) == [
        (pension.pk, JAN, K.ARREARS, D("10.00"), D("0.00"), D("10.00")),
        (pension.pk, FEB, K.NORMAL, D("301.00"), D("10.00"), D("311.00")),
    ]
    # arrears draw nothing from the account: only the three normal months did
    assert AccountEntry.objects.filter(kind=EntryKind.PENSION).values("year").count() == 6  # 3 months × 2 sources


def test_no_arrears_when_nothing_changed(finance, finance2):
    PensionFactory(start_month=date(2025, 12, 1))
    with at(2025, 12, 20):
        pay_month(date(2025, 12, 1), finance=finance, finance2=finance2)
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
    assert [k for _, _, k, *_ in lines_of(JAN)] == [K.NORMAL]


# --- drawdown until the account is exhausted (R8) -----------------------------------------------------------


def test_account_is_drawn_until_exhausted_and_the_pension_keeps_being_paid(finance, finance2):
    pension = PensionFactory(balance_by_source={"personal": "15.00"}, account_balance=D("15.00"))
    for month in (JAN, FEB, MAR):
        with at(month.year, month.month, 20):
            pay_month(month, finance=finance, finance2=finance2)
    drawn = list(PayrollLine.objects.order_by("month").values_list("month", "amount", "drawn_amount", "account_exhausted"))
    assert drawn == [
        (JAN, D("301.00"), D("10.00"), False),
        (FEB, D("301.00"), D("5.00"), True),
        (MAR, D("301.00"), D("0.00"), True),
    ]
    assert list(AccountEntry.objects.filter(kind=EntryKind.PENSION).order_by("pk").values_list("amount", "memo")) == [
        (D("-10.00"), "2026年01月个人账户养老金（正常）"), (D("-5.00"), "2026年02月个人账户养老金（正常）"),
    ]
    pension.refresh_from_db()
    assert pension.exhausted_month == FEB


def test_claim_becomes_receiving_when_the_first_month_is_paid(town, poster, agent, clerk, finance, finance2):
    person = PersonFactory(birth_date=date(1965, 11, 3), town=town)  # start 2025-12
    yearly(person, range(2011, 2026), "100.00", by=poster)
    with at(2025, 11, 10):
        claim = services.claim_submit(person=person, by=agent)
    with at(2026, 1, 5):
        services.claim_determine(claim=claim, by=clerk)
    with at(2026, 1, 20):
        pay_month(JAN, finance=finance, finance2=finance2)
    claim.refresh_from_db()
    assert claim.status == BenefitClaim.Status.RECEIVING
    assert claim.status_changes.last().opinion == "2026年01月首次发放已到账"
    assert list(PayrollLine.objects.values_list("month", flat=True).order_by("month")) == [date(2025, 12, 1), JAN]


# --- the beat job -------------------------------------------------------------------------------------------------


def test_beat_job_generates_once_on_or_after_the_payroll_day():
    PensionFactory()
    assert services.payroll_scheduled(today=date(2026, 1, 19)) == "未到发放生成日"
    with at(2026, 1, 20):
        assert services.payroll_scheduled(today=date(2026, 1, 20)) == JobRun.Status.SUCCEEDED
        assert services.payroll_scheduled(today=date(2026, 1, 20)) == "本月发放已生成"
    job = JobRun.objects.get(kind="benefits.payroll")
    assert (job.started_by.username, job.params, job.result["lines"]) == ("system", {"month": "2026-01"}, 1)
    run = PayrollRun.objects.get()
    assert run.generated_by == job.started_by  # the system user, not "no author" (issue 8)
    with at(2026, 2, 20):
        assert services.payroll_scheduled(today=date(2026, 2, 20)) == "上月发放尚未回盘结束"


def test_beat_task_is_scheduled():
    from linggao_pension.celery import app

    entry = app.conf.beat_schedule["benefits-monthly-payroll"]
    assert entry["task"] == "benefits.tasks.payroll_monthly"


# --- two runs at once on PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_never_pay_a_month_twice(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks, ON CONFLICT)")
    from benefits import services as svc

    finance = make_user("finance_a", roles.FINANCE)
    finance_b = make_user("finance_b", roles.FINANCE)
    PensionFactory.create_batch(30, start_month=date(2025, 12, 1))
    monkeypatch.setattr(svc.payroll_generation, "PAYROLL_CHUNK", 7)  # many small chunks, interleaved between the two runs
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run(user):
        try:
            barrier.wait()
            results.append(svc.payroll_generate(month=JAN, by=user))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    with at(2026, 1, 20):
        threads = [threading.Thread(target=run, args=(u,)) for u in (finance, finance_b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert PayrollRun.objects.count() == 1
    assert PayrollLine.objects.count() == 60  # Dec and Jan for 30 pensions, once
    assert sum(r["created"] for r in results) == 60  # each line counted once, by the run that added it
    assert max(r["lines"] for r in results) == 60
    dupes = PayrollLine.objects.values("pension", "month", "kind").order_by().annotate(n=Count("pk")).filter(n__gt=1)
    assert not dupes.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_exports_at_once_store_one_set_of_files():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks)")
    finance = make_user("finance_x", roles.FINANCE)
    finance_b = make_user("finance_y", roles.FINANCE)
    PensionFactory.create_batch(3, person__bank_name="海南农信")
    PensionFactory.create_batch(2, person__bank_name="中国农业银行")
    with at(2026, 1, 20):
        services.payroll_generate(month=JAN, by=finance)
        run = services.payroll_review(run=PayrollRun.objects.get(), by=finance_b)
    barrier = threading.Barrier(2)
    done, refused, errors = [], [], []

    def export(user):
        try:
            barrier.wait()
            done.append(services.payroll_export(run=run, by=user))
        except ValidationError as exc:
            refused.append(exc.messages)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    with at(2026, 1, 20):
        threads = [threading.Thread(target=export, args=(u,)) for u in (finance, finance_b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert (len(done), refused) == (1, [["2026年01月发放当前状态为“已导出”，复核后才能导出银行文件"]])
    assert sorted(PayrollBankFile.objects.values_list("bank_name", "line_count", "total")) == [
        ("中国农业银行", 2, D("602.00")), ("海南农信", 3, D("903.00")),
    ]


# --- the page starts the job on a real Celery worker ----------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_payroll_started_from_the_page_succeeds_on_the_worker(client):
    """The manager starts the month from the payroll page and watches the job; a finance user
    reviews it and exports the bank files, which also run on the worker."""
    manager = make_user("manager_w", roles.MANAGER)
    finance = make_user("finance_w", roles.FINANCE)
    month = periods.month_start(timezone.localdate())
    PensionFactory.create_batch(5, start_month=month)
    client.force_login(manager)
    response = client.post(reverse("benefits:payroll_start"), {"month": f"{month:%Y-%m}"})
    assert response.status_code == 302
    job = JobRun.objects.get(kind="benefits.payroll")
    assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])
    job = wait_for(job)
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    progress = client.get(reverse("org:jobrun_progress", args=[job.pk])).json()
    assert (progress["finished"], progress["done"], progress["total"]) == (True, 5, 5)
    per_line = selectors.pension_tables().basic_total(month=month, years=15, age=66) + D("10.00")
    assert job.result == {"lines": 5, "total": str(per_line * 5), "created": 5, "suspended": 0, "backpay_lines": 0}
    assert PayrollLine.objects.filter(run__month=month).count() == 5
    assert Pension.objects.count() == 5
    run = PayrollRun.objects.get(month=month)
    client.force_login(finance)
    client.post(reverse("benefits:payroll_review", args=[run.pk]))
    response = client.post(reverse("benefits:payroll_export", args=[run.pk]))
    export = JobRun.objects.get(kind="benefits.payroll_export")
    assert response["Location"] == reverse("org:jobrun_detail", args=[export.pk])
    export = wait_for(export)
    assert export.status == JobRun.Status.SUCCEEDED, export.error
    assert export.result == {"month": f"{month:%Y-%m}", "lines": 5, "total": str(per_line * 5)}
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.EXPORTED and run.return_template
    assert PayrollBankFile.objects.filter(run=run).count() == 1


def wait_for(job: JobRun, seconds: int = 60) -> JobRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.5)
    return job


def test_the_run_summary_adds_up_the_lines_by_status_kind_and_bank(finance, finance2, django_assert_num_queries):
    """The payroll page's summary equals the lines counted table by table; a failed line is in its
    status but not in the banks' totals (it is not paid). It is kept on the run by the generation
    and the return file, so reading it runs no query."""
    from django.db.models import Sum

    PensionFactory.create_batch(3, person__bank_name="海南农信")
    PensionFactory.create_batch(2, person__bank_name="中国农业银行")
    with at(2026, 1, 25):
        services.payroll_generate(month=JAN, by=finance)
        generated = PayrollRun.objects.get(month=JAN)
        assert selectors.run_summary(generated)["by_status"][0] == {"label": "待支付", "count": 5,
                                                                    "total": D("1505.00")}
        failed = PayrollLine.objects.filter(run=generated, bank_name="海南农信").first()
        run = pay_month(JAN, finance=finance, finance2=finance2, failures={failed.pk: "账户已销户"})
    with django_assert_num_queries(0):
        summary = selectors.run_summary(run)
    lines = PayrollLine.objects.filter(run=run)
    assert summary["count"] == lines.count() == 5
    assert summary["total"] == lines.aggregate(t=Sum("amount"))["t"]
    assert summary["basic"] + summary["account"] == summary["total"]
    status = {r["label"]: (r["count"], r["total"]) for r in summary["by_status"]}
    assert status["支付失败"] == (1, D("301.00"))
    assert status["已支付"] == (4, D("1204.00"))
    assert status["待支付"] == (0, D("0"))
    assert sum(r["count"] for r in summary["by_kind"]) == lines.count()
    banks = {b["bank_name"]: (b["count"], b["total"]) for b in summary["by_bank"]}
    live = lines.exclude(status__in=PayrollLine.DEAD_STATUSES)
    for name in ("海南农信", "中国农业银行"):
        want = live.filter(bank_name=name)
        assert banks[name] == (want.count(), want.aggregate(t=Sum("amount"))["t"])
    assert list(banks) == sorted(banks)


def test_a_run_made_before_the_summary_was_kept_is_added_up_live(finance):
    PensionFactory.create_batch(2)
    with at(2026, 1, 25):
        services.payroll_generate(month=JAN, by=finance)
    PayrollRun.objects.update(summary_groups=[], summary_at=None)
    summary = selectors.run_summary(PayrollRun.objects.get())
    assert (summary["count"], summary["total"]) == (2, D("602.00"))
