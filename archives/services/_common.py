"""What every archives service shares: the actor's permission and the number sequences."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F

from ..models import Sequence

DEFAULT_FONDS = "LGYL"  # 全宗号 of the bureau (settings.ARCHIVES_FONDS_NO overrides it)


def fonds_no() -> str:
    return getattr(settings, "ARCHIVES_FONDS_NO", DEFAULT_FONDS)


def require_perm(by, perm: str, action: str) -> None:
    """`by` None is the shell (a management command run by the operator)."""
    if by is not None and not by.has_perm(perm):
        raise PermissionDenied(f"您没有{action}的权限")


def number_next(*, key: str) -> int:
    """The next number under `key`, inside the caller's transaction: the row stays locked until it
    commits, so concurrent callers get distinct numbers."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside a transaction")
    if not Sequence.objects.filter(key=key).exists():
        try:
            with transaction.atomic():
                Sequence.objects.create(key=key)
        except IntegrityError:
            pass  # created meanwhile by another caller
    Sequence.objects.filter(key=key).update(last=F("last") + 1)
    return Sequence.objects.values_list("last", flat=True).get(key=key)
