"""Job handlers used only by the job-runner tests."""

from django.core.exceptions import ValidationError

from linggao_pension.org.models import Town
from linggao_pension.org.services import jobrun_progress


def count_towns(*, job, by, kind: str = "town") -> dict:
    towns = list(Town.objects.filter(kind=kind))
    for i, _ in enumerate(towns, start=1):
        jobrun_progress(job=job, done=i, total=len(towns))
    return {"towns": len(towns)}


def refuse(*, job, by) -> dict:
    raise ValidationError("2025 年度已结息，不能重复结息")
