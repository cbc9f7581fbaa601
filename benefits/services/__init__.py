"""Every write of benefits, one module per sub-domain:

- `claims`: claim submission, return and determination (R7, R8);
- `pensions`: stopping a pension;
- `pensioner_import`: the go-live import of people already receiving;
- `payroll_generation`: the monthly payroll's lines (R8, R9), its job and its beat entry;
- `payroll_review`: 复核 (maker-checker);
- `bank_files`: the export of the bank files and the return template (built in benefits.reports);
- `return_files`: the bank's return file closing a run;
- `drawdown`: the account pension drawn from the ledger when a month is paid.

Each service checks the actor's permission (and town), runs in one transaction (batch jobs: one per
chunk) and records who did what. The names below are the package's public services, importable as
`benefits.services.<name>` (the job handlers in settings and the other apps use these paths).
"""

from .bank_files import payroll_export, payroll_export_job, payroll_export_start, return_template_bytes
from .claims import claim_determine, claim_return, claim_submit
from .common import (
    CLOSE_JOB,
    EXPORT_JOB,
    IMPORT_JOB,
    NO_ACCOUNT_REASON,
    PAYROLL_JOB,
    PAYROLL_JOB_KINDS,
    save_with_history,
)
from .drawdown import drawdown
from .payroll_generation import payroll_generate, payroll_job, payroll_scheduled, payroll_start
from .payroll_review import payroll_review
from .pensioner_import import (
    PENSIONER_EXAMPLE,
    PENSIONER_HEADERS,
    parse_month_cell,
    pensioners_import,
    pensioners_import_job,
    pensioners_import_start,
)
from .pensions import pension_places_follow, pension_stop
from .return_files import payroll_apply_return, payroll_close, payroll_close_job, payroll_close_start

__all__ = [
    "CLOSE_JOB", "EXPORT_JOB", "IMPORT_JOB", "NO_ACCOUNT_REASON", "PAYROLL_JOB", "PAYROLL_JOB_KINDS",
    "PENSIONER_EXAMPLE", "PENSIONER_HEADERS", "claim_determine", "claim_return", "claim_submit", "drawdown",
    "parse_month_cell", "payroll_apply_return", "payroll_close", "payroll_close_job", "payroll_close_start",
    "payroll_export", "payroll_export_job", "payroll_export_start", "payroll_generate", "payroll_job",
    "payroll_review", "payroll_scheduled", "payroll_start", "pension_places_follow", "pension_stop", "pensioners_import",
    "pensioners_import_job", "pensioners_import_start", "return_template_bytes", "save_with_history",
]
