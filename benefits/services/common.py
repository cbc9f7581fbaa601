"""What every benefits service shares: the actor check, the job kinds, the one helper that moves a
record along its status enum's allowed moves (models: CLAIM_MOVES, RUN_MOVES, ...) and records the
move, and the bulk save with history rows."""

from django.core.exceptions import ValidationError

from linggao_pension.db import save_with_history  # noqa: F401 (re-exported for the benefits services)
from linggao_pension.org.access import require_perm, require_town  # noqa: F401 (re-exported)

from ..models import BenefitClaimStatusChange, PayrollRunStatusChange

PAYROLL_JOB = "benefits.payroll"
IMPORT_JOB = "benefits.import_pensioners"
CLOSE_JOB = "benefits.payroll_close"
EXPORT_JOB = "benefits.payroll_export"
PAYROLL_JOB_KINDS = [PAYROLL_JOB, EXPORT_JOB, CLOSE_JOB]
PAYROLL_CHUNK = 2000
NO_ACCOUNT_REASON = "未登记银行账号，未纳入银行文件"

require = require_perm  # the one permission check (linggao_pension.org.access)

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
