"""Job handlers used only by the job-runner tests."""

import threading

from django.core.exceptions import ValidationError

from linggao_pension.org.models import Town
from linggao_pension.org.services import jobrun_progress


def count_towns(*, job, by, kind: str = "town", **_upload) -> dict:
    towns = list(Town.objects.filter(kind=kind))
    for i, _ in enumerate(towns, start=1):
        jobrun_progress(job=job, done=i, total=len(towns))
    return {"towns": len(towns)}


def refuse(*, job, by) -> dict:
    raise ValidationError("2025 年度已结息，不能重复结息")


def crash(*, job, by) -> dict:
    raise RuntimeError("/srv/linggao/secret_path.py: connection to bank host 10.0.0.7 refused")


GATE = threading.Event()
ENTERED = threading.Event()  # set once the job has been claimed and its handler is waiting


def wait_for_gate(*, job, by, **_upload) -> dict:
    """Blocks until the test opens GATE: the job is observably still running. The test waits for
    ENTERED before it reads the database: on the test's in-memory SQLite (shared cache) a read at the
    moment the job thread claims its row makes that UPDATE fail with "table is locked"."""
    ENTERED.set()
    GATE.wait(20)
    return {"towns": Town.objects.count()}
