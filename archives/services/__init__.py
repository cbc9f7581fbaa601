"""Every state change of the archives, one sub-domain per module:

- documents: document_upload, document_verify (checksum checked; a mismatch is recorded and refused),
  loan_create / loan_return (paper files), volume_create / volume_add_documents (案卷);
- certificates: certificate_issue (参保缴费证明, 待遇领取证明: serial, HMAC code, PDF with QR, 台账 line);
- desk: consultation_record, consultation_follow_up (公共服务事项);
- library: policy_create (政策宣传), register_entry_record (表、单、证、卡、册 台账).
"""

from .certificates import certificate_issue, certificate_pdf_bytes, verification_url
from .desk import consultation_follow_up, consultation_record
from .documents import (
    DocumentTampered,
    document_upload,
    document_verify,
    loan_create,
    loan_return,
    volume_add_documents,
    volume_create,
)
from .library import policy_create, register_entry_record

__all__ = [
    "DocumentTampered", "certificate_issue", "certificate_pdf_bytes", "consultation_follow_up", "consultation_record",
    "document_verify", "document_upload", "loan_create", "loan_return", "policy_create", "register_entry_record",
    "verification_url", "volume_add_documents", "volume_create",
]
