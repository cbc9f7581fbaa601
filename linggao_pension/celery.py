import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linggao_pension.settings")

app = Celery("linggao_pension")
# Django's settings are the single source: every CELERY_* setting there configures this app.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
