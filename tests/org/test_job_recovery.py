"""Recoverable batch jobs: the heartbeat, stalled jobs shown and resumed (by the beat sweep and
by the manager's button) without doing anything twice, one runner at a time, plain failure
reasons, the system user as the actor of scheduled jobs, job_start and the no-broker thread mode."""

import logging
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from benefits import services as benefits_services
from benefits.models import PayrollLine, PayrollRun
from linggao_pension import periods
from linggao_pension.org import roles, services
from linggao_pension.org.models import JobRun, Town
from linggao_pension.org.tasks import jobs_resume_stalled
from tests.factories import PensionFactory

from . import jobs as test_handlers

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What kill -9 does to a handler: it stops mid-way and nothing records the end of the job."""


@pytest.fixture
def test_jobs(declare):
    declare(
        job_handlers={"count_towns": "tests.org.jobs.count_towns", "crash": "tests.org.jobs.crash",
                      "wait_for_gate": "tests.org.jobs.wait_for_gate"},
        job_labels={"count_towns": "统计镇数"},
    )  # fmt: skip


def stall(job: JobRun, seconds: int = 600) -> None:
    """The worker died `seconds` ago: its heartbeat stopped then."""
    JobRun.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds))
    job.refresh_from_db()


def kill_after_heartbeats(monkeypatch, n: int) -> None:
    """The worker is killed at its n-th heartbeat (after n-1 committed ones)."""
    real = services.jobrun_heartbeat
    calls = {"n": 0}

    def heartbeat(*, job, **fields):
        calls["n"] += 1
        if calls["n"] >= n:
            raise Killed
        real(job=job, **fields)

    monkeypatch.setattr(services, "jobrun_heartbeat", heartbeat)
    return real


def join_job_thread(job: JobRun) -> None:
    """Wait for the background thread of `job` (org.tasks.enqueue, JOB_EAGER_MODE "thread")."""
    for thread in threading.enumerate():
        if thread.name == f"job-{job.pk}":
            thread.join(20)


def run_on_commit(django_capture_on_commit_callbacks, func, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return func(**kwargs)


# --- the payroll killed mid-way and resumed ------------------------------------------------------------


def test_killed_payroll_is_seen_stalled_and_resumed_by_the_beat_with_one_line_per_pensioner(
    finance, finance2, monkeypatch, django_capture_on_commit_callbacks
):
    month = periods.month_start(timezone.localdate())
    PensionFactory.create_batch(7, start_month=month)
    generator = sys.modules[benefits_services.payroll_generate.__module__]
    monkeypatch.setattr(generator, "PAYROLL_CHUNK", 3)
    job = services.jobrun_create(kind="benefits.payroll", by=finance, params={"month": f"{month:%Y-%m}"})
    real_heartbeat = kill_after_heartbeats(monkeypatch, 3)  # total, first chunk of 3, killed at the second
    with pytest.raises(Killed):
        services.jobrun_execute(job=job)
    job.refresh_from_db()
    assert job.status == JobRun.Status.RUNNING and not job.is_stalled  # it looks alive for a while
    assert PayrollLine.objects.count() == 6  # two chunks committed, the second without its progress
    monkeypatch.setattr(services, "jobrun_heartbeat", real_heartbeat)

    run = PayrollRun.objects.get(month=month)
    with pytest.raises(ValidationError, match="正在生成"):
        benefits_services.payroll_review(run=run, by=finance2)
    stall(job)
    assert job.is_stalled and job.status_label == "已停滞"
    with pytest.raises(ValidationError) as refused:
        benefits_services.payroll_review(run=run, by=finance2)
    assert refused.value.messages == [
        f"{periods.format_month(month)}发放明细的生成任务 #{job.pk} 已停滞（运行中断，明细不完整），须恢复该任务并完成后才能复核或导出"
    ]
    assert PayrollRun.objects.get(month=month).status == PayrollRun.Status.GENERATED
    assert list(JobRun.objects.stalled()) == [job]
    resumed = run_on_commit(django_capture_on_commit_callbacks, jobs_resume_stalled)
    assert resumed == [job.pk]
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert job.attempt == 2 and job.resumed_by.username == "system"
    assert job.result["lines"] == 7 and job.result["created"] == 1
    assert PayrollLine.objects.filter(run__month=month).values("pension").distinct().count() == 7
    assert PayrollLine.objects.filter(run__month=month).count() == 7
    assert PayrollRun.objects.get(month=month).status == PayrollRun.Status.GENERATED
    # Delivered again later (the broker's visibility timeout): nothing happens.
    assert services.jobrun_execute(job=job).finished_at == job.finished_at
    assert PayrollLine.objects.count() == 7
    assert benefits_services.payroll_review(run=run, by=finance2).status == PayrollRun.Status.REVIEWED


def test_a_run_missing_pensioners_or_with_a_failed_generation_is_not_reviewed(finance, finance2):
    """Lines written by an interrupted run without a job record (the command, an old crash) count too."""
    month = periods.month_start(timezone.localdate())
    pensions = PensionFactory.create_batch(3, start_month=month)
    benefits_services.payroll_generate(month=month, by=finance)
    run = PayrollRun.objects.get(month=month)
    PayrollLine.objects.filter(pension=pensions[0]).delete()  # as if the last chunk never committed
    with pytest.raises(ValidationError, match="1 名应发放人员没有本月明细"):
        benefits_services.payroll_review(run=run, by=finance2)
    job = services.jobrun_create(kind="benefits.payroll", by=finance, params={"month": f"{month:%Y-%m}"})
    JobRun.objects.filter(pk=job.pk).update(status=JobRun.Status.FAILED)
    with pytest.raises(ValidationError, match="失败"):
        benefits_services.payroll_review(run=run, by=finance2)
    services.jobrun_execute(job=services.jobrun_create(kind="benefits.payroll", by=finance,
                                                       params={"month": f"{month:%Y-%m}"}))
    assert PayrollLine.objects.filter(run=run).count() == 3
    assert benefits_services.payroll_review(run=run, by=finance2).status == PayrollRun.Status.REVIEWED


# --- one runner at a time ------------------------------------------------------------------------------


def test_two_resumes_at_once_queue_the_job_once(manager, test_jobs):
    job = services.jobrun_create(kind="count_towns", by=manager)
    assert services._claim(job)
    stall(job)
    fresh = JobRun.objects.get(pk=job.pk)
    services.jobrun_resume(job=job, by=manager)
    with pytest.raises(ValidationError) as refused:
        services.jobrun_resume(job=fresh, by=manager)
    assert "仍在运行" in refused.value.messages[0]
    assert JobRun.objects.get(pk=job.pk).status == JobRun.Status.QUEUED


def test_a_task_delivered_twice_claims_once_and_a_stalled_running_job_is_taken_over(manager, test_jobs):
    job = services.jobrun_create(kind="count_towns", by=manager)
    first, second = JobRun.objects.get(pk=job.pk), JobRun.objects.get(pk=job.pk)
    assert services._claim(first) and not services._claim(second)
    assert first.attempt == 1
    # The first runner's worker dies; a redelivered task takes the job over.
    stall(first)
    taken = JobRun.objects.get(pk=job.pk)
    assert services._claim(taken) and taken.attempt == 2
    # The first runner was only slow: at its next heartbeat it learns it was superseded and stops.
    with pytest.raises(services.JobSuperseded):
        services.jobrun_progress(job=first, done=1, total=10)
    services.jobrun_succeed(job=first, result={"towns": -1})  # a late finish of the old runner is ignored
    assert JobRun.objects.get(pk=job.pk).status == JobRun.Status.RUNNING


def test_a_running_job_with_a_fresh_heartbeat_is_not_resumed(manager, test_jobs):
    job = services.jobrun_create(kind="count_towns", by=manager)
    services._claim(job)
    services.jobrun_progress(job=job, done=3, total=10)
    assert not job.is_stalled
    with pytest.raises(ValidationError, match="仍在运行"):
        services.jobrun_resume(job=job, by=manager)
    assert services.jobs_resume_stalled(by=services.system_user()) == []


def test_the_beat_leaves_a_job_that_used_up_its_attempts_to_a_manager(manager, settings, test_jobs, caplog):
    settings.JOB_MAX_ATTEMPTS = 2
    job = services.jobrun_create(kind="count_towns", by=manager)
    JobRun.objects.filter(pk=job.pk).update(status=JobRun.Status.RUNNING, attempt=2)
    stall(job)
    with caplog.at_level(logging.ERROR, logger="linggao_pension.jobs"):
        assert services.jobs_resume_stalled(by=services.system_user()) == []
    assert "not resumed automatically" in caplog.text
    assert JobRun.objects.get(pk=job.pk).is_stalled


# --- the job page: 已停滞 and the manager's button --------------------------------------------------------


def test_manager_resumes_a_stalled_job_from_its_page(client, manager, finance, test_jobs,
                                                      django_capture_on_commit_callbacks):
    job = services.jobrun_create(kind="count_towns", by=finance)
    services._claim(job)
    stall(job)
    client.force_login(finance)
    page = client.get(reverse("org:jobrun_detail", args=[job.pk])).content.decode()
    assert "已停滞" in page and "恢复任务" not in page  # finance sees it, only a manager resumes
    assert client.post(reverse("org:jobrun_resume", args=[job.pk])).status_code == 403
    assert "已停滞" in client.get(reverse("org:jobrun_list")).content.decode()
    assert client.get(reverse("org:jobrun_progress", args=[job.pk])).json()["stalled"] is True

    client.force_login(manager)
    assert "恢复任务" in client.get(reverse("org:jobrun_detail", args=[job.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("org:jobrun_resume", args=[job.pk]), follow=True)
    assert "已恢复" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED and job.result == {"towns": 10}
    assert (job.resumed_by, job.attempt) == (manager, 2)
    # Once finished there is nothing to resume.
    response = client.post(reverse("org:jobrun_resume", args=[job.pk]), follow=True)
    assert "已完成，不需要恢复" in response.content.decode()


def test_resume_needs_the_permission(finance, test_jobs):
    job = services.jobrun_create(kind="count_towns", by=finance)
    stall(job)
    with pytest.raises(PermissionDenied):
        services.jobrun_resume(job=job, by=finance)


# --- a failure shows a plain reason ---------------------------------------------------------------------


def test_a_failed_job_shows_a_plain_reason_and_the_traceback_goes_to_the_log(client, manager, test_jobs, caplog):
    job = services.jobrun_create(kind="crash", by=manager)
    with caplog.at_level(logging.ERROR, logger="linggao_pension.jobs"), pytest.raises(RuntimeError):
        services.jobrun_execute(job=job)
    job.refresh_from_db()
    assert job.status == JobRun.Status.FAILED
    assert job.error == services.FAILURE_REASON.format(pk=job.pk)
    assert "Traceback" in caplog.text and "secret_path.py" in caplog.text
    client.force_login(manager)
    page = client.get(reverse("org:jobrun_detail", args=[job.pk])).content.decode()
    progress = client.get(reverse("org:jobrun_progress", args=[job.pk])).json()
    for shown in (page, progress["error"]):
        assert "系统错误，未能完成" in shown
        assert "Traceback" not in shown and "/srv/" not in shown and ".py" not in shown


# --- the system user ------------------------------------------------------------------------------------


def test_the_system_user_exists_cannot_sign_in_and_holds_only_the_scheduled_jobs_permissions(client):
    system = services.system_user()
    assert system.username == "system" and system.pk
    assert not system.has_usable_password() and not check_password("", system.password)
    assert not client.login(username="system", password="Linggao#2026")
    assert [g.name for g in system.groups.all()] == [roles.SYSTEM]
    assert system.has_perm("benefits.generate_payroll") and system.has_perm("contributions.post_interest")
    assert not system.has_perm("benefits.review_payroll") and not system.is_staff and not system.is_superuser
    assert services.system_user() == system  # one user, however often asked


def test_scheduled_jobs_are_recorded_as_started_by_the_system_user():
    """A beat wrapper (contributions' year-end interest) records `system`, not None, as the actor."""
    from datetime import date, datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    import time_machine

    from contributions import tasks as contribution_tasks
    from tests.factories import AccountEntryFactory

    AccountEntryFactory(amount=Decimal("1000.00"), entry_date=date(2024, 6, 1))
    with time_machine.travel(datetime(2026, 1, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert contribution_tasks.post_interest_for_last_year() == JobRun.Status.SUCCEEDED
    job = JobRun.objects.get(kind="contributions.post_interest")
    assert job.started_by == services.system_user()


# --- job_start ------------------------------------------------------------------------------------------


def test_job_start_stores_the_upload_records_the_job_and_runs_it_after_commit(manager, test_jobs,
                                                                              django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("名单.xlsx", b"PK\x03\x04 content")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.job_start(kind="count_towns", by=manager, params={"kind": "farm"}, upload=upload)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED and job.result == {"towns": 2}
    assert job.params["filename"] == "名单.xlsx"
    with default_storage.open(job.params["stored"], "rb") as f:
        assert f.read() == b"PK\x03\x04 content"


def test_job_start_refuses_a_missing_actor_and_an_unknown_kind(test_jobs):
    with pytest.raises(PermissionDenied):
        services.job_start(kind="count_towns", by=None)
    with pytest.raises(ValueError):
        services.job_start(kind="no_such_job", by=services.system_user())
    assert not JobRun.objects.exists()


# --- no broker: the job runs in a background thread, the page does not wait -----------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_the_job_is_recorded_and_runs_after_the_request(settings, test_jobs):
    settings.JOB_EAGER_MODE = "thread"
    user = services.system_user()
    test_handlers.GATE.clear()
    test_handlers.ENTERED.clear()
    started = time.monotonic()
    job = services.job_start(kind="wait_for_gate", by=user)
    assert time.monotonic() - started < 5  # returned while the handler still waits
    assert test_handlers.ENTERED.wait(20)
    assert JobRun.objects.get(pk=job.pk).status == JobRun.Status.RUNNING
    test_handlers.GATE.set()
    join_job_thread(job)
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED and job.result == {"towns": Town.objects.count()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_the_upload_page_redirects_to_the_job_at_once(client, settings, test_jobs, declare):
    """The residents' import page: the job is recorded and the page answers while it still runs."""
    from tests.conftest import make_user
    from tests.enrollment.xlsx import valid_rows, workbook_bytes

    settings.JOB_EAGER_MODE = "thread"
    declare(job_handlers={"import_residents": "tests.org.jobs.wait_for_gate"})
    client.force_login(make_user("clerk_t", roles.CLERK))
    test_handlers.GATE.clear()
    test_handlers.ENTERED.clear()
    upload = SimpleUploadedFile("residents.xlsx", workbook_bytes(valid_rows(3)))
    response = client.post(reverse("enrollment:import_upload"), {"file": upload})
    assert test_handlers.ENTERED.wait(20)
    job = JobRun.objects.get(kind="import_residents")
    assert response.status_code == 302 and response["Location"] == reverse("org:import_result", args=[job.pk])
    assert not JobRun.objects.get(pk=job.pk).is_finished
    test_handlers.GATE.set()
    join_job_thread(job)
    assert JobRun.objects.get(pk=job.pk).status == JobRun.Status.SUCCEEDED
