"""Thin Celery wrappers (beat)."""

from celery import shared_task
from django.utils import timezone

from .services.daily import daily_run


@shared_task
def supervision_daily() -> str:
    """Every morning: reports unanswered 10 days after they reached the unit are deemed agreed, once."""
    return daily_run(today=timezone.localdate()).status
