"""Every state change of the registry, one module per sub-domain; one transaction each, the actor
checked (linggao_pension.org.access) and recorded.

- persons: the person's status (R3) and bank account, asked for by later apps; 参保编号.
- applications: 参保登记申请 (create, update; steps through linggao_pension.workflow.review_move).
- change_requests: 信息变更 (likewise).
- imports: the go-live import of the legacy registry and its job handler.
"""

from .applications import APPLICATION_FLOW, application_create, application_update
from .change_requests import CHANGE_REQUEST_FLOW, change_request_create, change_request_update
from .imports import residents_import, residents_import_job, residents_import_start
from .persons import (
    ReceivingStart,
    insured_numbers_allocate,
    person_bank_account_set,
    person_status_set,
    persons_start_receiving,
)

__all__ = [
    "APPLICATION_FLOW", "CHANGE_REQUEST_FLOW", "ReceivingStart", "application_create", "application_update",
    "change_request_create", "change_request_update", "insured_numbers_allocate", "person_bank_account_set",
    "person_status_set", "persons_start_receiving", "residents_import", "residents_import_job",
    "residents_import_start",
]  # fmt: skip
