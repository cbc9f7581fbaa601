"""The action a verified suspicious item starts, through the benefits app's services (an app
changes another app's rows only through that app's services). Returns a short description of
what was started, kept on the item."""

from decimal import Decimal
from importlib import import_module

from django.core.exceptions import ValidationError

from ..models import SuspectItem

K = SuspectItem.Kind
SOURCE = "疑点核查"


def _service(module: str, name: str):
    try:
        return getattr(import_module(f"benefits.services.{module}"), name)
    except (ImportError, AttributeError):
        raise ValidationError(f"待遇模块尚未提供“{name}”服务，暂不能核实该类疑点；可先登记核查意见后再处理") from None


def _months(item: SuspectItem) -> tuple[str, ...]:
    return tuple(item.months)


def start_for(*, item: SuspectItem, by, reason: str) -> str:
    """What each kind of verified case starts (domain §7, R11, R12, R10):
    paid after death: the death is recorded (stop from the month after) and one recovery case for
    the months paid after it; pensioner died: the death; contributor died: the death (account to
    settle); duplicate receipt: a recovery case for the overlap and a suspension; imprisoned: a
    recovery case for the months paid and, while serving, a suspension (1202); shared account and
    centenarian not certified: a suspension pending certification (1201)."""
    person, note = item.person, f"{SOURCE}#{item.pk}：{reason}"
    pension = getattr(person, "pension", None)
    done = []
    if item.kind in (K.PAID_AFTER_DEATH, K.PENSIONER_DIED, K.CONTRIBUTOR_DIED):
        death_record = _service("death", "death_record")
        death_record(person=person, death_date=item.event_date, by=by, reason=note)
        done.append("已登记死亡")
    if item.kind in (K.PAID_AFTER_DEATH, K.DUPLICATE_EMPLOYEE, K.IMPRISONED) and item.amount:
        recovery_case_open = _service("recovery", "recovery_case_open")
        case = recovery_case_open(person=person, source=SOURCE, amount=Decimal(item.amount), by=by, reason=note,
                                  months=_months(item), pension=pension, detail=item.detail)
        done.append(f"已立案追回 {item.amount} 元（案件 #{case.pk}）")
    serving = item.kind == K.IMPRISONED and (item.event_end is None or item.event_end >= item.created_at.date())
    if item.kind in (K.DUPLICATE_EMPLOYEE, K.SHARED_ACCOUNT, K.CENTENARIAN_UNCERTIFIED) or serving:
        suspension_request = _service("suspension", "suspension_request")
        code = "1202" if item.kind == K.IMPRISONED else ("1407" if item.kind == K.DUPLICATE_EMPLOYEE else "1201")
        suspension_request(person=person, reason_code=code, by=by, reason=note)
        done.append("已申请暂停发放")
    return "；".join(done) or "无需后续处理"
