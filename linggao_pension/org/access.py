"""Who may do what, and for which town: the one place every service and queryset asks.

- `require_perm(user, perm)`: the user holds the permission, else PermissionDenied (403) with a
  Chinese message. Anonymous, inactive or missing users (None) hold no permission.
- `can_act_for_town(user, town_id)` / `require_town(user, town_id)`: county staff (with
  `org.view_all_towns`) act for every town, a town agent for their own town only. A record of
  another town is answered as if it did not exist: Http404, never 403 (architecture.md "Roles").
- `scope_q(user, *fields)`: the read filter behind every `Model.objects.in_scope(user)`, or None
  when the user sees the whole county.

A service that takes a record calls `require_perm` then `require_town(by, record.town_id)`; a page
fetches through `Model.objects.in_scope(request.user)`, so both say the same thing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

VIEW_ALL_TOWNS = "org.view_all_towns"
OTHER_TOWN_MESSAGE = "未找到该记录（只能办理本镇/农场的业务）"


def is_signed_in(user) -> bool:
    """A real, active user (not None, not anonymous)."""
    return user is not None and user.is_authenticated and user.is_active


def has_perm(user, perm: str) -> bool:
    return is_signed_in(user) and user.has_perm(perm)


def _perm_label(perm: str) -> str:
    from django.contrib.auth.models import Permission

    app_label, _, codename = perm.partition(".")
    name = (
        Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        .values_list("name", flat=True)
        .first()
    )
    return name or perm


def require_perm(user, perm: str, message: str = "") -> None:
    """PermissionDenied unless `user` holds `perm`; `message` says what was refused (Chinese)."""
    if not has_perm(user, perm):
        raise PermissionDenied(message or f"您没有此项操作的权限（{_perm_label(perm)}）")


def sees_all_towns(user) -> bool:
    return has_perm(user, VIEW_ALL_TOWNS)


def can_act_for_town(user, town_id: int | None) -> bool:
    """County staff act for any town; a town agent only for their own; anyone else for none."""
    if not is_signed_in(user):
        return False
    if sees_all_towns(user):
        return True
    return user.town_id is not None and user.town_id == town_id


def require_town(user, town_id: int | None) -> None:
    """Http404 when `town_id` is outside the user's scope (a record of another town does not exist
    for them)."""
    if not can_act_for_town(user, town_id):
        raise Http404(OTHER_TOWN_MESSAGE)


def scope_q(user, *fields: str) -> Q | None:
    """The filter that limits rows to `user`'s scope, or None when the user sees every town.

    `fields` name the row's town foreign keys (default "town"); a row matches when any of them is
    the user's town (e.g. a change request of the town it was entered in, or of the person's
    current town). For the Town table itself the field is "pk".
    """
    fields = fields or ("town",)
    if not is_signed_in(user):
        return Q(pk__in=[])
    if sees_all_towns(user):
        return None
    if user.town_id is None:
        return Q(pk__in=[])
    q = Q()
    for field in fields:
        q |= Q(pk=user.town_id) if field == "pk" else Q(**{f"{field}_id": user.town_id})
    return q


def in_scope(queryset, user, *fields: str):
    """`queryset` limited to `user`'s scope (see scope_q)."""
    q = scope_q(user, *fields)
    return queryset if q is None else queryset.filter(q)
