"""Training and guidance of the town centres (duty 4: 定期进行培训、指导、检查)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import GuidanceVisit, TrainingAttendance, TrainingSession
from .common import MANAGE_TRAINING, require_perm, required_text


@transaction.atomic
def training_record(*, held_on: date, topic: str, trainer: str, attendance: dict, by, place: str = "",
                    content: str = "", names: dict | None = None) -> TrainingSession:
    """A session with the attendees per town ({town: count}); at least one town attended."""
    require_perm(by, MANAGE_TRAINING, "只有县局人员可以登记培训")
    attendance = {town: int(n) for town, n in attendance.items() if n}
    if not attendance:
        raise ValidationError({"attendance": "请填写至少一个镇/农场的参训人数"})
    if any(n < 0 for n in attendance.values()):
        raise ValidationError({"attendance": "参训人数不能为负数"})
    session = TrainingSession.objects.create(
        held_on=held_on, topic=required_text(topic, "topic", "请填写培训主题"),
        trainer=required_text(trainer, "trainer", "请填写授课人"), place=place, content=content, created_by=by,
    )  # fmt: skip
    TrainingAttendance.objects.bulk_create([
        TrainingAttendance(session=session, town=town, attendees=n, names=(names or {}).get(town, "")[:200])
        for town, n in attendance.items()
    ])  # fmt: skip
    return session


@transaction.atomic
def visit_record(*, town, kind: str, visited_on: date, visitors: str, notes: str, by,
                 problems: str = "") -> GuidanceVisit:
    require_perm(by, MANAGE_TRAINING, "只有县局人员可以登记指导检查")
    if kind not in GuidanceVisit.Kind.values:
        raise ValidationError({"kind": "请选择业务指导或工作检查"})
    return GuidanceVisit.objects.create(
        town=town, kind=kind, visited_on=visited_on, visitors=required_text(visitors, "visitors", "请填写县局人员"),
        notes=required_text(notes, "notes", "请填写指导/检查情况"), problems=problems, created_by=by,
    )  # fmt: skip
