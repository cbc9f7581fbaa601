"""老农保 merge (R21) and 被征地 subsidies (§8.2): recorded by one clerk, reviewed by another."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension.money import quantize
from linggao_pension.org.access import require_perm, require_town

from ..models import (
    EntryKind,
    SpecialCredit,
)
from .ledger import account_post

# --- 老农保 merge (R21) and 被征地 subsidies (§8.2) -----------------------------------------------------

PERSON_MAY_RECEIVE_CREDIT = (Person.Status.CONTRIBUTING, Person.Status.CONTRIB_SUSPENDED)


@transaction.atomic
def special_credit_record(
    *, person: Person, kind: str, amount: Decimal, document_no: str, by, note: str = ""
) -> SpecialCredit:
    """A clerk records an old-scheme balance to merge (R21) or an approved land-expropriation amount
    (§8.2); it is credited only after a second clerk's review (special_credit_review)."""
    require_perm(by, "contributions.add_specialcredit", "无权登记老农保并入或被征地补助")
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_town(by, person.town_id)
    if kind not in SpecialCredit.Kind.values:
        raise ValidationError({"kind": "请选择类型"})
    errors: dict[str, str] = {}
    if person.status not in PERSON_MAY_RECEIVE_CREDIT:
        errors["person"] = f"该参保人当前状态为“{person.get_status_display()}”，只能为正常参保或暂停缴费人员入账"
    elif kind == SpecialCredit.Kind.OLD_RURAL and not person.old_rural_pension:
        errors["person"] = "该参保人未标记为老农保人员，请先在参保信息中标记"
    elif kind == SpecialCredit.Kind.LAND and not person.land_expropriated:
        errors["person"] = "该参保人未标记为被征地农民，请先在参保信息中标记"
    elif (
        kind == SpecialCredit.Kind.OLD_RURAL
        and SpecialCredit.objects.filter(person=person, kind=kind).exclude(status=SpecialCredit.Status.REJECTED).exists()
    ):
        errors["person"] = "该参保人的老农保个账已登记并入，不能重复登记"
    amount = quantize(amount)
    if amount <= 0:
        errors["amount"] = "金额必须大于零"
    document_no = (document_no or "").strip()
    if not document_no:
        errors["document_no"] = "请填写批准文号"
    elif SpecialCredit.objects.filter(person=person, kind=kind, document_no=document_no).exclude(
        status=SpecialCredit.Status.REJECTED
    ).exists():
        errors["document_no"] = "该参保人已按此批准文号登记过"
    if errors:
        raise ValidationError(errors)
    credit = SpecialCredit(
        person=person, town_id=person.town_id, kind=kind, amount=amount, document_no=document_no,
        note=note.strip()[:200], prepared_by=by,
    )
    credit._history_user = by
    credit._change_reason = "登记"
    credit.save()
    return credit


@transaction.atomic
def special_credit_review(*, credit: SpecialCredit, approve: bool, opinion: str, by) -> SpecialCredit:
    """The second clerk approves (credited at once to 老农保个账 or 被征地补助, dated today) or returns it."""
    require_perm(by, "contributions.review_specialcredit", "无权复核")
    credit = SpecialCredit.objects.select_for_update(of=("self",)).select_related("person").get(pk=credit.pk)
    require_town(by, credit.town_id)
    if credit.status != SpecialCredit.Status.PENDING:
        raise ValidationError(f"该记录状态为“{credit.get_status_display()}”，不能复核")
    if credit.prepared_by_id == by.pk:
        raise ValidationError("经办人不能复核自己登记的业务（经办与复核分离）")
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise ValidationError({"opinion": "退回必须填写复核意见"})
    if approve:
        today = timezone.localdate()
        credit.entry = account_post(
            person=credit.person, source=credit.source, kind=EntryKind.CREDIT, amount=credit.amount,
            entry_date=today, by=by, year=today.year, memo=f"{credit.get_kind_display()} {credit.document_no}"[:120],
        )
        credit.status = SpecialCredit.Status.APPROVED
    else:
        credit.status = SpecialCredit.Status.REJECTED
    credit.reviewed_by, credit.reviewed_at, credit.review_opinion = by, timezone.now(), opinion[:200]
    credit._history_user = by
    credit._change_reason = "复核通过" if approve else f"复核退回：{opinion}"[:100]
    credit.save()
    return credit
