"""State machines, one convention for every app.

1. The allowed moves stand beside the status enum they belong to::

       class Status(models.TextChoices):
           CONTRIBUTING = "contributing", "正常参保"
           ...

       Status.moves = Moves(Status, {Status.CONTRIBUTING: {Status.RECEIVING, ...}, ...})

2. One helper performs a move and records it: `state_move(record, to, by=..., opinion=...)` checks
   the move against the enum's table, sets the field, saves (history: who and why) and writes the
   status-change row (org.StatusChange: who, when, from → to, opinion). The service that calls it
   has checked the actor's permission and town (linggao_pension.org.access) first.

3. Pages never re-derive a rule: they ask a selector which actions the user may take (for review
   records `linggao_pension.workflow.review_actions`; for others `Moves.allowed` + the app's perms).
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError


class Moves:
    """The allowed moves of one status enum: {from: {to, ...}}. A state missing from the table is final."""

    def __init__(self, enum, table: Mapping[str, Iterable[str]]):
        self.enum = enum
        self.table: dict[str, frozenset[str]] = {str(k): frozenset(str(v) for v in vs) for k, vs in table.items()}
        unknown = {s for s in self.table} | {t for ts in self.table.values() for t in ts}
        unknown -= set(enum.values) | {""}
        if unknown:
            raise ValueError(f"{enum.__name__}: unknown states in moves: {sorted(unknown)}")

    def allowed(self, status: str) -> frozenset[str]:
        return self.table.get(str(status), frozenset())

    def can(self, status: str, to: str) -> bool:
        return str(to) in self.allowed(status)

    def label(self, status: str) -> str:
        return self.enum(status).label if status else "（无）"

    def check(self, status: str, to: str, *, verb: str = "") -> None:
        """ValidationError (Chinese) unless `status` may move to `to`; `verb` names the action
        (e.g. "撤销"), else the message names the target state."""
        if not self.can(status, to):
            action = verb or f"变更为“{self.label(to)}”"
            raise ValidationError(f"当前状态为“{self.label(status)}”，不能{action}")

    def __getitem__(self, status: str) -> frozenset[str]:
        return self.allowed(status)

    def __contains__(self, status: str) -> bool:
        return str(status) in self.table


def state_move(
    record, to: str, *, by, opinion: str = "", reason: str = "", verb: str = "", field: str = "status",
    moves: Moves | None = None, update_fields: Iterable[str] | None = None, maker: bool = False,
):
    """Move `record` to `to` and record it: check the move, set the field, save the record with
    history (simple-history's user and reason, where the model keeps history) and write the
    org.StatusChange row. Runs inside the caller's transaction with the record locked by it.

    `update_fields`: the other fields the caller changed (None: a full save). `maker`: this step
    prepares the record (submitting it), so its user may not approve it later.
    """
    from linggao_pension.org.models import StatusChange

    if by is None:
        raise PermissionDenied("状态变更必须记录经办人")
    moves = moves or type(record).Status.moves  # the convention: the record's Status enum carries them
    current = getattr(record, field)
    moves.check(current, to, verb=verb)
    setattr(record, field, to)
    record._history_user = by
    record._change_reason = (reason or verb or f"状态变更为{moves.label(to)}")[:100]
    if update_fields is None:
        record.save()
    else:
        fields = {field, *update_fields}
        if any(f.name == "updated_at" for f in record._meta.concrete_fields):
            fields.add("updated_at")
        record.save(update_fields=sorted(fields))
    return StatusChange.objects.create(
        record=record, from_status=current or "", to_status=to, by=by, opinion=opinion, maker=maker
    )


def state_record(record, *, by, action: str, opinion: str = "", maker: bool = True):
    """A step that is not a move (entering or editing the record): written to the same table, so
    the record's page shows every step and maker-checker sees every user who prepared it."""
    from linggao_pension.org.models import StatusChange

    status = getattr(record, "status", "") or ""
    return StatusChange.objects.create(
        record=record, action=action, from_status="" if action == StatusChange.Action.CREATE else status,
        to_status=status, by=by, opinion=opinion, maker=maker,
    )
