"""Pure rules of the archives: the archive number, the certificate code, the masked name."""

import base64
import json

from django.utils.crypto import constant_time_compare, salted_hmac

CODE_LENGTH = 20  # 100 bits of HMAC-SHA256, in base32 (no 0/1/8/9 confusion with O/I/B/g)
CODE_SALT = "archives.certificate.v1"


def archive_no(*, fonds: str, year: int, category: str, item_no: int) -> str:
    """档号: 全宗号-年度-类别-件号, e.g. LGYL-2026-CB-0001 (件号 four digits, more when needed)."""
    return f"{fonds}-{year}-{category}-{item_no:04d}"


def certificate_message(*, serial: str, kind: str, id_number: str, name: str, issued_on: str, content: dict) -> str:
    """What the code signs: everything the certificate states, in one canonical string."""
    return json.dumps(
        {"serial": serial, "kind": kind, "id": id_number, "name": name, "date": issued_on, "content": content},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )


def certificate_code(message: str) -> str:
    """The verification code: an HMAC (SECRET_KEY) of the message, 20 base32 characters. Nobody
    without the key can make a code for a certificate, and any change of its content changes it."""
    digest = salted_hmac(CODE_SALT, message, algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:CODE_LENGTH]


def normalize_code(raw: str) -> str:
    """What a person types or the QR code carries: spaces, dashes and case do not matter."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def code_matches(message: str, code: str) -> bool:
    return constant_time_compare(certificate_code(message), normalize_code(code))


def code_display(code: str) -> str:
    """ABCD-EFGH-JKLM-NPQR-STUV, easier to read out over the phone."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def name_masked(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧***: the surname only."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
