"""The WSGI module (gunicorn's worker) freezes what it loaded out of the garbage collector's reach,
so a full collection in a warm worker scans the request's objects, not all of Django's."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wsgi_application_loads_every_view_and_freezes_them():
    code = (
        "import gc, sys; import linggao_pension.wsgi as w; "
        "print(gc.get_freeze_count(), 'enrollment.views' in sys.modules, callable(w.application))"
    )
    env = {
        **os.environ,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "x"),
        "DJANGO_SETTINGS_MODULE": "linggao_pension.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    frozen, views_loaded, app = out.stdout.split()
    assert int(frozen) > 10_000 and views_loaded == "True" and app == "True"
