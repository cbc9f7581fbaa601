"""Actor checks of the contributions services (permission and town: linggao_pension.org.access)."""

from linggao_pension.org.access import require_perm


def _system_or_perm(user, perm: str, message: str) -> None:
    """Batch jobs started by Celery beat or a management command run as the system (user None)."""
    if user is not None:
        require_perm(user, perm, message)
