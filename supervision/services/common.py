"""Actor checks, yearly document numbers and the state-machine move helper shared by supervision."""

from django.core.exceptions import ValidationError

from linggao_pension.org.access import require_perm, require_town  # noqa: F401 (the one check, re-exported)

from ..models import NumberCounter

MANAGE = "supervision.manage_supervision"
RESPOND = "supervision.respond_inspection"
CHECK_SUSPECTS = "supervision.check_suspects"
HANDLE_REPORTS = "supervision.handle_reports"
MANAGE_TRAINING = "supervision.manage_training"


def next_number(prefix: str, year: int) -> str:
    """临监〔2026〕3号-style numbers, one counter per prefix and year, under a row lock."""
    counter, _ = NumberCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = NumberCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{prefix}{year}-{counter.last_value:03d}"


def check_move(record, to_status: str, what: str) -> None:
    """Refuse a move the record's TRANSITIONS do not allow, in Chinese."""
    allowed = type(record).TRANSITIONS.get(record.status, set())
    if to_status not in allowed:
        label = type(record).Status(to_status).label
        raise ValidationError(f"{what}当前状态为“{record.get_status_display()}”，不能变为“{label}”")


def required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value
