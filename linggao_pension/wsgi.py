import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linggao_pension.settings")
application = get_wsgi_application()

# What is loaded now (Django, the apps, every view module through the URLconf) lives as long as the
# worker: frozen out of the garbage collector's reach, a full collection scans ~30,000 objects
# instead of ~160,000, about 20 ms instead of about 100 ms: the one slow request in a hundred or
# so of a warm worker (measured in-process on the county; bench/run's one-user p95 outliers).
import_module(settings.ROOT_URLCONF)
gc.collect()
gc.freeze()
