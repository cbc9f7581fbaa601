"""The crash test (issue 9): a real Celery worker on Redis is killed (kill -9) while it writes a
payroll of several thousand lines; while the job is stalled nobody can review the half-written
run; a worker started again resumes it (its beat sweep, as the system user) and the job completes
within a minute with exactly one line per pensioner.

Needs PostgreSQL, a Redis broker and no other worker on the broker's queue: `.ci/run` runs it in
a step of its own (`pytest -m worker_crash`); `make test` skips it.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from benefits import services as benefits_services
from benefits.models import PayrollLine, PayrollRun, Pension
from enrollment.models import Person
from enrollment.rules import id_check_char
from linggao_pension import periods
from linggao_pension.org import roles
from linggao_pension.org.models import JobRun
from tests.conftest import make_user
from tests.factories import PensionFactory, PersonFactory

pytestmark = [pytest.mark.worker_crash, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PENSIONERS = 4000
STALL_SECONDS = 5
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _needs_broker_and_postgres(settings):
    if settings.CELERY_TASK_ALWAYS_EAGER or connection.vendor != "postgresql":
        pytest.skip("the crash test needs PostgreSQL and a Redis broker (CELERY_BROKER_URL) with no other "
                    "worker on it: .ci/run runs it (pytest -m worker_crash)")
    settings.JOB_STALL_SECONDS = STALL_SECONDS


def worker(*, slow: bool, log: Path) -> subprocess.Popen:
    """A worker process group on the test database: the slow one (tests/org/slow_worker.py), or
    a plain one with its embedded beat resuming stalled jobs every 2 seconds."""
    db = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "JOB_STALL_SECONDS": str(STALL_SECONDS), "JOB_HEARTBEAT_SECONDS": "1", "JOB_RESUME_EVERY_SECONDS": "2",
        "PYTHONPATH": str(ROOT),
    }
    if slow:
        cmd = [sys.executable, "-m", "tests.org.slow_worker"]
    else:
        cmd = [sys.executable, "-m", "celery", "-A", "linggao_pension", "worker", "--pool=solo", "--beat",
               "--schedule", str(log.with_suffix(".beat")), "--loglevel=WARNING", "--without-gossip",
               "--without-mingle"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def kill(process: subprocess.Popen) -> None:
    """kill -9 of the whole worker (its process group), as a lost machine or the OOM killer would."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(10)


def pensioners(month: date, count: int) -> None:
    """`count` pensions in payment from `month`, written in bulk (distinct valid ID numbers)."""
    persons = []
    for i in range(count):
        birth = date(1955, 1, 1) + timedelta(days=i // 400)
        first17 = f"469024{birth:%Y%m%d}{i % 400:03d}"
        persons.append(PersonFactory.build(id_number=first17 + id_check_char(first17), birth_date=birth,
                                           status=Person.Status.RECEIVING, insured_no=f"46902490{i:07d}"))
    Person.objects.bulk_create(persons, batch_size=1000)
    Pension.objects.bulk_create([PensionFactory.build(person=p, start_month=month) for p in persons], batch_size=1000)


def wait_until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_killed_worker_payroll_is_resumed_with_one_line_per_pensioner(client, tmp_path):
    manager = make_user("manager_crash", roles.MANAGER)
    finance = make_user("finance_crash", roles.FINANCE)
    month = periods.month_start(timezone.localdate())
    pensioners(month, PENSIONERS)
    first = worker(slow=True, log=tmp_path / "worker1.log")
    second = None
    try:
        client.force_login(manager)
        response = client.post(reverse("benefits:payroll_start"), {"month": f"{month:%Y-%m}"})
        job = JobRun.objects.get(kind="benefits.payroll")
        assert response["Location"] == reverse("org:jobrun_detail", args=[job.pk])

        # Killed mid-way: some chunks committed, the job still says it runs.
        wait_until(lambda: JobRun.objects.get(pk=job.pk).progress_done >= 1000, 90, "the payroll half written")
        kill(first)
        written = PayrollLine.objects.filter(run__month=month).count()
        assert 0 < written < PENSIONERS, (tmp_path / "worker1.log").read_text()
        job.refresh_from_db()
        assert job.status == JobRun.Status.RUNNING and job.attempt == 1

        # Stalled: shown as such, and a review of the half-written run is refused.
        wait_until(lambda: JobRun.objects.get(pk=job.pk).is_stalled, STALL_SECONDS + 5, "the job seen as stalled")
        client.force_login(finance)
        assert "已停滞" in client.get(reverse("org:jobrun_detail", args=[job.pk])).content.decode()
        run = PayrollRun.objects.get(month=month)
        with pytest.raises(ValidationError, match="已停滞"):
            benefits_services.payroll_review(run=run, by=finance)
        response = client.post(reverse("benefits:payroll_review", args=[run.pk]), follow=True)
        assert "已停滞" in response.content.decode()
        assert PayrollRun.objects.get(pk=run.pk).status == PayrollRun.Status.GENERATED

        # A worker again: its beat resumes the job, which completes within a minute.
        started = time.monotonic()
        second = worker(slow=False, log=tmp_path / "worker2.log")
        job = wait_until(lambda: JobRun.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).first(),
                         60, "the resumed job finished")
        elapsed = time.monotonic() - started
        assert job.status == JobRun.Status.SUCCEEDED, (job.error, (tmp_path / "worker2.log").read_text())
        assert elapsed < 60
        assert job.attempt == 2 and job.resumed_by.username == "system"
        lines = PayrollLine.objects.filter(run__month=month)
        assert lines.count() == PENSIONERS
        assert lines.values("pension_id").distinct().count() == PENSIONERS
        assert job.result["lines"] == PENSIONERS and job.result["created"] == PENSIONERS - written
        assert benefits_services.payroll_review(run=run, by=finance).status == PayrollRun.Status.REVIEWED
        print(f"killed at {written}/{PENSIONERS} lines; resumed and finished {elapsed:.1f} s after the new worker started")
    finally:
        kill(first)
        if second is not None:
            kill(second)
        # Leave no resumable job behind for a worker of another run.
        JobRun.objects.exclude(status__in=["succeeded", "failed"]).update(status="failed")
        _ = settings  # the fixture's override ends with the test
