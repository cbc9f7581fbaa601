"""Actor checks of the contributions services."""

from django.core.exceptions import PermissionDenied

from linggao_pension.org.models import town_scope_q


def _require_perm(user, perm: str, message: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(message)


def _require_town(user, town_id: int) -> None:
    """A town agent acts only on their own town's records; county staff on every town's."""
    q = town_scope_q(user)
    if q is not None and user.town_id != town_id:
        raise PermissionDenied("只能办理本镇/农场参保人的业务")


def _system_or_perm(user, perm: str, message: str) -> None:
    """Batch jobs started by Celery beat or a management command run as the system (user None)."""
    if user is not None:
        _require_perm(user, perm, message)

