"""Thin Celery wrappers: the monthly build on the 1st of each month."""

from celery import shared_task
from django.utils import timezone

from .services import statistical


@shared_task
def build_reports_for_last_month() -> list[int]:
    """Beat, on the 1st: both reports of the month just ended, filed once (a rerun adds nothing)."""
    built = statistical.reports_build_previous_month(today=timezone.localdate(), by=statistical.system_actor())
    return [r.pk for r in built]
