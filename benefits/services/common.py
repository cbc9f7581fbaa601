"""What every benefits service shares: the actor check, the job kinds, the one helper that moves a
record along its status enum's allowed moves (models: CLAIM_MOVES, RUN_MOVES, ...) and records the
move, and the bulk save with history rows."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from linggao_pension.org.models import town_scope_q

from ..models import BenefitClaimStatusChange, PayrollRunStatusChange

PAYROLL_JOB = "benefits.payroll"
IMPORT_JOB = "benefits.import_pensioners"
CLOSE_JOB = "benefits.payroll_close"
EXPORT_JOB = "benefits.payroll_export"
PAYROLL_JOB_KINDS = [PAYROLL_JOB, EXPORT_JOB, CLOSE_JOB]
PAYROLL_CHUNK = 2000
NO_ACCOUNT_REASON = "未登记银行账号，未纳入银行文件"


def require(by, perm: str, message: str) -> None:
    if by is None or not by.has_perm(perm):
        raise PermissionDenied(message)


def status_move(record, to_status: str, *, by, change_model, fk: str, text_field: str, text: str = "",
                what: str = "") -> None:
    """Move `record` to `to_status` if its status enum allows it (record.MOVES, beside the enum in
    models.py) and write the status-change row (who, when, from, to, opinion/note). The caller
    saves the record."""
    status_enum = type(record).Status
    if to_status not in type(record).MOVES[record.status]:
        current = status_enum(record.status).label if record.status else "新建"
        raise ValidationError(f"{what or record}当前状态为“{current}”，不能变更为“{status_enum(to_status).label}”")
    change_model.objects.create(**{fk: record, "from_status": record.status, "to_status": to_status, "by": by,
                                   text_field: text[:200]})
    record.status = to_status


def claim_move(claim, to_status: str, *, by, opinion: str = "") -> None:
    status_move(claim, to_status, by=by, change_model=BenefitClaimStatusChange, fk="claim", text_field="opinion", text=opinion,
                what="待遇申领")


def run_move(run, to_status: str, *, by, note: str = "") -> None:
    status_move(run, to_status, by=by, change_model=PayrollRunStatusChange, fk="run", text_field="note", text=note)


def save_with_history(model, objs: list, fields: list[str], *, by, reason: str, chunk: int = 1000) -> None:
    """Write `fields` of many rows with one UPDATE per distinct set of values (bulk_update's CASE
    expressions are slow for thousands of rows) and one history row each (simple-history)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for obj in objs:
        groups[tuple(getattr(obj, f) for f in fields)].append(obj.pk)
    extra = {"updated_at": timezone.now()} if any(f.name == "updated_at" for f in model._meta.fields) else {}
    for values, pks in groups.items():
        for i in range(0, len(pks), chunk):
            model.objects.filter(pk__in=pks[i : i + chunk]).update(**dict(zip(fields, values, strict=True)), **extra)
    model.history.bulk_history_create(objs, batch_size=chunk, update=True, default_user=by,
                                      default_change_reason=reason)


def require_town(by, town_id: int | None) -> None:
    """A record outside the actor's town answers 404 (the same filter as the pages' reads)."""
    q = town_scope_q(by, "town")
    if q is not None and by.town_id != town_id:
        raise Http404("没有找到该记录")
