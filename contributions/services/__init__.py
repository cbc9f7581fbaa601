"""Every write of the contributions app, one module per sub-domain:

- ledger: the personal account ledger (account_post, account_post_bulk, account_post_fast, account_entry_reverse,
  account_entry_correct): other apps post to the ledger only through these; ledger_totals: the
  ledger's month totals for the reports, kept by those services (ledger_totals_move for a move of town);
- receipts: payments and receipts (R4); receipt_import: the bank collection file;
- daijiao: 政府代缴 (§2.5); interest: year-end interest and interim settlements (R6);
- remittance: the month-end remittance (R18); special_credits: 老农保 and 被征地 credits.

The names are re-exported here, so callers write `contributions.services.account_post`."""

from .daijiao import (  # noqa: F401
    daijiao_post,
    daijiao_post_job,
    daijiao_refusal,
    daijiao_start,
)
from .interest import (  # noqa: F401
    interest_post,
    interest_post_job,
    interest_refusal,
    interest_settle,
    interest_settle_after_year_end,
    interest_start,
)
from .ledger import (  # noqa: F401
    NewEntry,
    account_entry_correct,
    account_entry_reverse,
    account_post,
    account_post_adjustment,
    account_post_bulk,
    account_post_fast,
    account_post_reversal,
)
from .ledger_totals import (  # noqa: F401
    ledger_totals_add,
    ledger_totals_move,
    ledger_totals_rebuild,
)
from .receipt_import import (  # noqa: F401
    IMPORT_EXAMPLE,
    IMPORT_HEADERS,
    IMPORT_JOB,
    METHOD_BY_TEXT,
    receipts_import,
    receipts_import_job,
    receipts_import_start,
)
from .receipts import (  # noqa: F401
    payment_problems,
    receipt_confirm_batch,
    receipt_record,
    receipt_void,
    receipts_record_backpay,
)
from .remittance import (  # noqa: F401
    VOUCHER_PARTS,
    remittance_generate,
    remittance_generate_job,
    remittance_mark_remitted,
    remittance_start,
    remittance_voucher_store,
)
from .special_credits import (  # noqa: F401
    PERSON_MAY_RECEIVE_CREDIT,
    special_credit_record,
    special_credit_review,
)
