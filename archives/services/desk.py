"""The consultation desk (公共服务事项): record a consultation, record its follow-up."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension.org.access import scope_q as town_scope_q
from linggao_pension.org.models import User

from ..models import Consultation, ConsultationService
from ._common import require_perm


def consultation_record(
    *, service: ConsultationService, question: str, by: User, channel: str = Consultation.Channel.PHONE,
    answer: str = "", person: Person | None = None, caller_name: str = "", caller_phone: str = "",
    referred_to: str = "", follow_up_due: date | None = None,
) -> Consultation:
    require_perm(by, "archives.add_consultation", "登记咨询")
    errors = {}
    if not question.strip():
        errors["question"] = "请填写咨询问题"
    if channel not in Consultation.Channel.values:
        errors["channel"] = "未知的咨询方式"
    today = timezone.localdate()
    if follow_up_due is not None and follow_up_due < today:
        errors["follow_up_due"] = "回访期限不能早于今天"
    if not answer.strip() and follow_up_due is None and not referred_to:
        errors["answer"] = "请填写答复；当场不能答复的，请填写回访期限或转交承办机构"
    if person is not None:
        q = town_scope_q(by)
        if q is not None and not Person.objects.filter(q, pk=person.pk).exists():
            errors["person"] = "只能关联本镇/农场的参保人"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return Consultation.objects.create(
            service=service, channel=channel, person=person, caller_name=caller_name.strip() or (person.name if person else ""),
            caller_phone=caller_phone.strip(), question=question.strip(), answer=answer.strip(), referred_to=referred_to,
            follow_up_due=follow_up_due, town_id=person.town_id if person else by.town_id, created_by=by,
        )


def consultation_follow_up(*, consultation: Consultation, note: str, by: User, on: date | None = None) -> Consultation:
    require_perm(by, "archives.add_consultation", "登记回访")
    if not note.strip():
        raise ValidationError({"follow_up_note": "请填写回访情况"})
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if consultation.followed_up_on is not None:
            raise ValidationError("该咨询已登记回访")
        consultation.followed_up_on = on or timezone.localdate()
        consultation.follow_up_note = note.strip()[:200]
        consultation.save()
    return consultation
