"""Thin Celery wrappers. The monthly payroll itself runs as a recorded job (org.tasks.run_job)."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def payroll_monthly() -> str:
    """Beat (a few times a day): on or after the payroll day, generate this month's payroll once."""
    return services.payroll_scheduled(today=timezone.localdate())
