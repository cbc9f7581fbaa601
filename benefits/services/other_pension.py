"""R7: a person who already receives another basic state pension (城镇职工基本养老保险 ...) receives no
residents' pension. Recorded from the person's declaration or from supervision's employee-pension
list: a claim is refused; a pension being paid is suspended (1299) from the month the other pension
began, and the months already paid from then are an overpayment (a recovery case, suspension_open)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import periods

from ..models import OtherPensionRecord, Pension, Suspension
from .common import require, require_town
from .suspension import suspension_open


def other_pension_refusal(person) -> str:
    """Why a claim of `person` is refused under R7 ("" when nothing is recorded)."""
    record = OtherPensionRecord.objects.filter(person=person, active=True).order_by("from_month").first()
    if record is None:
        return ""
    return (f"{person.name}已领取{record.scheme}待遇（自{periods.format_month(record.from_month)}起），"
            "不能重复领取城乡居民基本养老保险待遇")


@transaction.atomic
def other_pension_record(*, person: Person, origin: str, scheme: str, from_month: date, by,
                         note: str = "") -> OtherPensionRecord:
    require(by, "benefits.add_otherpensionrecord", "只有县局经办员可以登记领取其他基本养老保障待遇")
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_town(by, person.town_id)
    if origin not in OtherPensionRecord.Origin.values:
        raise ValidationError({"origin": "请选择信息来源"})
    if not (scheme or "").strip():
        raise ValidationError({"scheme": "请填写其他养老保障待遇的名称"})
    from_month = periods.month_start(from_month)
    if from_month > periods.month_start(timezone.localdate()):
        raise ValidationError({"from_month": "起始领取年月不能晚于本月"})
    if OtherPensionRecord.objects.filter(person=person, active=True, scheme=scheme.strip()).exists():
        raise ValidationError({"scheme": f"已登记{person.name}领取{scheme.strip()}待遇"})
    record = OtherPensionRecord(person=person, origin=origin, scheme=scheme.strip()[:60], from_month=from_month,
                                note=(note or "")[:200], recorded_by=by)
    record._history_user, record._change_reason = by, "登记领取其他基本养老保障待遇"
    record.save()
    pension = Pension.objects.filter(person=person, status=Pension.Status.ACTIVE).first()
    if pension is not None and not Suspension.objects.filter(pension=pension, end_month__isnull=True).exists():
        suspension_open(pension=pension, reason_code="1299", start_month=max(from_month, pension.start_month), by=by,
                        backpay=False, evidence=f"{record.get_origin_display()}：{record.scheme}",
                        note=f"已领取{record.scheme}待遇（R7），自{periods.format_month(from_month)}起停发")
    return record
