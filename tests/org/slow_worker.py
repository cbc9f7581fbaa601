"""A Celery worker for the crash test (tests/org/test_worker_crash.py): the same worker as in
production, except that the payroll is written in chunks of 500 and each progress report pauses,
so the test can kill it (kill -9) while the payroll is half written.

    python -m tests.org.slow_worker        (DATABASE_URL, CELERY_BROKER_URL from the environment)
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linggao_pension.settings")
django.setup()

from benefits import services as benefits_services  # noqa: E402
from linggao_pension.celery import app  # noqa: E402
from linggao_pension.org import services  # noqa: E402

PAUSE = float(os.environ.get("CRASH_TEST_PAUSE", "0.7"))
_heartbeat = services.jobrun_heartbeat


def slow_heartbeat(*, job, **fields):
    _heartbeat(job=job, **fields)
    if "progress_done" in fields:
        time.sleep(PAUSE)


services.jobrun_heartbeat = slow_heartbeat
sys.modules[benefits_services.payroll_generate.__module__].PAYROLL_CHUNK = 500

if __name__ == "__main__":
    app.worker_main(["worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle"])
