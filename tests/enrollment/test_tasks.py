"""The import job on a real Celery worker (CI starts one; skipped when tasks run eagerly)."""

import time

import pytest
from django.conf import settings

from enrollment.models import Person
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import jobrun_create
from linggao_pension.org.tasks import enqueue

from .xlsx import valid_rows, workbook_bytes

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wait_for(job: JobRun, seconds: int = 60) -> JobRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job.pk} still {job.status} after {seconds} s")


@pytest.fixture(autouse=True)
def _needs_worker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("needs CELERY_BROKER_URL and a running Celery worker")


def test_import_job_runs_on_the_worker(tmp_path, clerk):
    path = tmp_path / "residents.xlsx"
    path.write_bytes(workbook_bytes(valid_rows(50)))
    job = jobrun_create(kind="import_residents", by=clerk, params={"path": str(path), "filename": path.name})
    enqueue(job)
    job = wait_for(job)
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert job.result == {"imported": 50, "errors": []}
    assert Person.objects.count() == 50


def test_refused_import_fails_the_job_with_every_error(tmp_path, clerk):
    rows = valid_rows(3)
    rows[1][3] = "加来镇"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes(rows))
    job = jobrun_create(kind="import_residents", by=clerk, params={"path": str(path), "filename": path.name})
    enqueue(job)
    job = wait_for(job)
    assert job.status == JobRun.Status.FAILED
    assert job.result["errors"] == [{"row": 3, "column": "镇/农场", "message": "未知的镇/农场“加来镇”"}]
    assert not Person.objects.exists()
