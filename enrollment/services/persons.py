"""Writes of the insured person (参保人) that later apps ask for: the insurance relationship's
status (R3, Person.Status.moves), its bank account, and the 参保编号 counter.

Later apps (benefits, transfers, deaths) never write Person rows themselves: once their own review
is done they call these services, which record who and why in the person's history.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from linggao_pension import registry
from linggao_pension.db import save_with_history
from linggao_pension.states import state_move

from .. import rules
from ..models import NumberSequence, Person

S = Person.Status

SUSPEND_CONTRIBUTION_REASONS = {"6399"}
SUSPEND_BENEFIT_REASONS = {"1200", "1201", "1202", "1299"}
TERMINATE_CONTRIBUTOR_REASONS = {"6401", "6406", "6407", "6499"}
TERMINATE_BENEFICIARY_REASONS = {"1401", "1406", "1407", "1499"}


def _check_reason(current: str, to_status: str, reason: str) -> None:
    if to_status == S.CONTRIB_SUSPENDED and reason not in SUSPEND_CONTRIBUTION_REASONS:
        raise ValidationError({"reason": "暂停缴费的原因代码应为 6399"})
    if to_status == S.BENEFIT_SUSPENDED and reason not in SUSPEND_BENEFIT_REASONS:
        raise ValidationError({"reason": "暂停领取的原因代码应为 1200、1201、1202 或 1299"})
    if to_status == S.TERMINATED:
        allowed = (
            TERMINATE_BENEFICIARY_REASONS
            if current in (S.RECEIVING, S.BENEFIT_SUSPENDED)
            else TERMINATE_CONTRIBUTOR_REASONS
        )
        if reason not in allowed:
            raise ValidationError({"reason": f"终止原因代码应为 {'、'.join(sorted(allowed))} 之一"})


@transaction.atomic
def person_status_set(*, person: Person, status: str, by, reason: str = "", on: date | None = None,
                      note: str = "") -> Person:
    """Move a person along R3 (Person.Status.moves). Called by the services of later apps (benefit
    determination, suspension, death, transfer) once their own review is complete; they have
    already checked the actor's role; this records who and why (history and the status-change row)."""
    if by is None:
        raise PermissionDenied("状态变更必须记录经办人")
    person = Person.objects.select_for_update().get(pk=person.pk)
    S.moves.check(person.status, status)
    _check_reason(person.status, status, reason)
    person.status_reason = reason
    person.status_changed_on = on or timezone.localdate()
    label = note or f"状态变更为{S(status).label}" + (f"（{reason}）" if reason else "")
    state_move(person, status, by=by, reason=label, opinion=label,
               update_fields=["status_reason", "status_changed_on"])  # fmt: skip
    if status == S.TERMINATED:  # however it is terminated (a death in benefits, a transfer), the relationship ends
        from ..relationships import relationship_mark_ended

        relationship_mark_ended(person=person, reason=reason, on=person.status_changed_on, by=by)
    return person


@transaction.atomic
def person_bank_account_set(*, person: Person, bank_name: str, bank_account: str, by, reason: str) -> Person:
    """Record the account the pension is paid into (the payroll's bank return, a pensioner import)."""
    if by is None:
        raise PermissionDenied("变更银行账号必须记录经办人")
    try:
        bank_account = rules.validate_bank_account(bank_account)
    except ValueError as exc:
        raise ValidationError({"bank_account": str(exc)}) from None
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.bank_name, person.bank_account = (bank_name or "").strip(), bank_account
    person._history_user, person._change_reason = by, reason[:100]
    person.save(update_fields=["bank_name", "bank_account", "updated_at"])
    return person


@dataclass(frozen=True)
class ReceivingStart:
    """One person of a bulk start of benefits (the go-live import of pensioners)."""

    person_id: int
    on: date
    bank_name: str
    bank_account: str


def persons_start_receiving(*, starts: list[ReceivingStart], by, reason: str) -> None:
    """Many people become 待遇领取 at once, each with the account the pension is paid into (R3; a
    suspended contributor is resumed and becomes a beneficiary in the same step). One UPDATE per
    distinct set of values and one history row each: tens of thousands of people at go-live.
    Runs inside the caller's transaction; the rows are locked here."""
    persons = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[s.person_id for s in starts])}
    for start in starts:
        person = persons[start.person_id]
        via = S.CONTRIBUTING if person.status == S.CONTRIB_SUSPENDED else person.status
        if not S.moves.can(via, S.RECEIVING):
            raise ValidationError(f"{person.name}当前状态不能转为待遇领取")
        person.status, person.status_reason, person.status_changed_on = S.RECEIVING, "", start.on
        person.bank_name, person.bank_account = start.bank_name, start.bank_account
    save_with_history(
        Person, list(persons.values()), ["status", "status_reason", "status_changed_on", "bank_name", "bank_account"],
        by=by, reason=reason,
    )


# --- 参保编号 ---------------------------------------------------------------------------------

INSURED_NO_SEQUENCE = "insured_no"
# 参保编号: the county code 469024, then "1" and an 8-digit running number (4690241 00000001).
INSURED_NO_PREFIX = "4690241"
INSURED_NO_WIDTH = 8


def insured_numbers_allocate(*, count: int) -> list[str]:
    """Reserve `count` consecutive 参保编号. Must run inside the caller's transaction: the counter
    row stays locked until it commits, so concurrent approvals and imports never share a number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("insured_numbers_allocate must run inside a transaction")
    seq, _ = NumberSequence.objects.select_for_update().get_or_create(name=INSURED_NO_SEQUENCE)
    start = seq.last_value + 1
    seq.last_value += count
    seq.save(update_fields=["last_value"])
    return [f"{INSURED_NO_PREFIX}{n:0{INSURED_NO_WIDTH}d}" for n in range(start, start + count)]


def person_moved(*, person, from_town_id: int) -> None:
    """The person's town or village changed (an approved 信息变更, a re-enrolment): what the later
    apps keep by town or village follows, each through its own service as its app declares it
    (`person_moved` in apps.py, linggao_pension.registry), in the caller's transaction."""
    for path in registry.person_moved():
        import_string(path)(person=person, from_town_id=from_town_id)
