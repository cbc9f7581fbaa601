"""转移接续/终止申请: transfers (out, in, between schemes) and terminations with refunds, entered by an
agent of the person's town with their evidence documents, reviewed by the shared workflow
(linggao_pension.workflow). County approval settles the money (a contributions service registered
with enrollment.relationships, which then ends the relationship here); enrollment never imports
contributions.

relationship_application_create / _update / relationship_document_add here; every step is
`review_move(record=application, to=ReviewStatus.X, by=..., opinion=...)` with RELATIONSHIP_FLOW.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from linggao_pension.org.access import require_perm, require_town
from linggao_pension.workflow import (
    RS,
    ReviewFlow,
    review_check_editable,
    review_mark_created,
    review_mark_edited,
)

from .. import rules
from ..models import (
    OPEN_REVIEW_STATUSES,
    ApplicationKind,
    Person,
    RelationshipApplication,
    RelationshipDocument,
)
from ..models_relationships import INCOMING, REFUNDED
from ..relationships import application_settle, reopen_problem

AK = ApplicationKind
S = Person.Status
SUBMIT_PERM = "enrollment.submit_relationshipapplication"
OPEN_MESSAGE = "该参保人已有未办结的转移接续/终止申请，请先办结或撤销"
CONTRIBUTOR_ONLY = {
    AK.TRANSFER_OUT: "已领取待遇的人员不能转出（R14：只有未领取待遇的参保人可以转移）",
    AK.TO_EMPLOYEE: "已领取待遇的人员不能转入职工养老保险",
    AK.DEATH: "待遇领取人员的死亡请在待遇模块登记（R11）",
}
FIELDS = [
    "event_on", "other_area", "certificate_no", "amount_in", "years_in", "employee_years", "employee_start",
    "overlap_year", "overlap_months", "payee_name", "payee_id_number", "payee_relation", "bank_name",
    "bank_account", "note",
]


def _years(value) -> list[int]:
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]
    out = sorted({int(str(v).strip()) for v in value or []})
    if any(not 1990 <= y <= 2100 for y in out):
        raise ValueError
    return out


def _kind_problems(person: Person, kind: str, data: dict, errors: dict) -> None:
    if person.status == S.TERMINATED:
        if kind not in INCOMING:
            errors.setdefault("kind", []).append("该参保人的参保关系已终止，终止的参保关系不能再次终止或转出")
        elif problem := reopen_problem(person):
            errors.setdefault("kind", []).append(problem)
    elif kind in CONTRIBUTOR_ONLY and person.status in (S.RECEIVING, S.BENEFIT_SUSPENDED):
        errors.setdefault("kind", []).append(CONTRIBUTOR_ONLY[kind])
    if kind == AK.DUPLICATE_RECEIPT and person.status not in (S.RECEIVING, S.BENEFIT_SUSPENDED):
        errors.setdefault("kind", []).append("重复领取只适用于正在领取居保待遇的人员")
    years = data.get("employee_years")
    if kind == AK.TO_EMPLOYEE and (years is None or years < 15):
        errors["employee_years"] = ["职保缴费满15年方可转入职工养老保险（R15）"]
    if kind == AK.FROM_EMPLOYEE and (years is None or years >= 15):
        errors["employee_years"] = ["职保缴费不足15年方可转入城乡居民养老保险（R15）"]
    if kind in INCOMING:
        for name, label in (("certificate_no", "转出地参保缴费凭证编号"), ("other_area", "转出地")):
            if not data.get(name):
                errors[name] = [f"请填写{label}"]
        if data.get("amount_in") is None or data["amount_in"] <= 0:
            errors["amount_in"] = ["转入金额必须大于零"]
    if kind == AK.DUPLICATE_RECEIPT and not data.get("employee_start"):
        errors["employee_start"] = ["请填写职保待遇开始年月"]
    if kind == AK.DUPLICATE_CONTRIBUTION:
        if not data.get("overlap_year"):
            errors["overlap_year"] = ["请填写重复缴费年度"]
        if not data.get("overlap_months") or not 1 <= data["overlap_months"] <= 12:
            errors["overlap_months"] = ["重复缴费月数应为 1-12"]
    if kind in REFUNDED:
        for name, label in (("payee_name", "收款人"), ("bank_name", "开户银行"), ("bank_account", "银行账号")):
            if not data.get(name):
                errors[name] = [f"退款须填写{label}"]
        try:
            data["payee_id_number"] = rules.validate_id_number(
                data.get("payee_id_number") or "", today=timezone.localdate()
            )
        except ValueError as exc:
            errors["payee_id_number"] = [f"收款人身份证号：{exc}"]
        try:
            data["bank_account"] = rules.validate_bank_account(data.get("bank_account") or "")
        except ValueError as exc:
            errors.setdefault("bank_account", [str(exc)])


def _clean(person: Person, data: dict) -> dict:
    """The application's values, each checked with a Chinese message at its field."""
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    if kind not in AK.values:
        raise ValidationError({"kind": ["请选择业务类型"]})
    values = {name: data.get(name) for name in FIELDS}
    for name in ("other_area", "certificate_no", "payee_name", "payee_id_number", "payee_relation", "bank_name",
                 "bank_account", "note"):
        values[name] = (values[name] or "").strip()
    if not isinstance(values["event_on"], date):
        errors["event_on"] = ["请填写发生日期"]
    elif values["event_on"] > timezone.localdate():
        errors["event_on"] = ["发生日期不能晚于今天"]
    try:
        values["years_in"] = _years(values["years_in"])
    except (TypeError, ValueError):
        errors["years_in"] = ["转入缴费年度应为年份，用逗号分隔，如 2016,2017"]
    if values["amount_in"] is not None:
        try:
            values["amount_in"] = Decimal(str(values["amount_in"])).quantize(Decimal("0.01"))
        except InvalidOperation:
            errors["amount_in"] = ["请填写有效金额"]
    if not errors:
        _kind_problems(person, kind, values, errors)
    if errors:
        raise ValidationError(errors)
    values["kind"] = kind
    return values


@transaction.atomic
def relationship_application_create(*, person: Person, data: dict, by) -> RelationshipApplication:
    """An agent of the person's town enters a transfer or termination (草稿)."""
    require_perm(by, SUBMIT_PERM, "您没有录入转移接续/终止申请的权限")
    person = Person.objects.get(pk=person.pk)
    require_town(by, person.town_id)
    values = _clean(person, data)
    if RelationshipApplication.objects.filter(person=person, status__in=OPEN_REVIEW_STATUSES).exists():
        raise ValidationError(OPEN_MESSAGE)
    application = RelationshipApplication(person=person, town_id=person.town_id, created_by=by, **values)
    application._history_user = by
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(OPEN_MESSAGE) from None
    review_mark_created(application, by=by)
    return application


@transaction.atomic
def relationship_application_update(*, application: RelationshipApplication, data: dict, by) -> RelationshipApplication:
    require_perm(by, SUBMIT_PERM, "您没有修改转移接续/终止申请的权限")
    application = RelationshipApplication.objects.select_for_update(of=("self",)).select_related("person").get(
        pk=application.pk
    )
    review_check_editable(application, by=by, flow=RELATIONSHIP_FLOW)
    for name, value in _clean(application.person, {**data, "kind": application.kind}).items():
        setattr(application, name, value)
    application._history_user = by
    application.save()
    review_mark_edited(application, by=by)
    return application


@transaction.atomic
def relationship_document_add(*, application: RelationshipApplication, title: str, file, by) -> RelationshipDocument:
    """Attach an evidence document (死亡证明, 定居证明, 职保参保证明, 转出地凭证 ...) while the application
    is being prepared; whoever adds one is one of its makers."""
    application = RelationshipApplication.objects.select_for_update(of=("self",)).get(pk=application.pk)
    review_check_editable(application, by=by, flow=RELATIONSHIP_FLOW)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": ["请填写材料名称"]})
    if file is None:
        raise ValidationError({"file": ["请选择文件"]})
    document = RelationshipDocument.objects.create(application=application, title=title[:60], file=file, uploaded_by=by)
    review_mark_edited(application, by=by, opinion=f"上传材料：{title}"[:100])
    return document


def _before_move(application: RelationshipApplication, to: str) -> None:
    if to in (RS.TOWN_APPROVED, RS.COUNTY_APPROVED):
        if not application.documents.exists():
            raise ValidationError("请先上传证明材料")
        person = Person.objects.get(pk=application.person_id)
        fields = {name: getattr(application, name) for name in FIELDS}
        errors: dict[str, list[str]] = {}
        _kind_problems(person, application.kind, fields, errors)
        if errors:
            raise ValidationError([m for ms in errors.values() for m in ms])


def _approved(application: RelationshipApplication, by) -> None:
    """县复核通过: contributions settles the money and then ends the relationship (or, for a transfer
    in, credits it and opens the new relationship)."""
    application_settle(application=application, by=by)


RELATIONSHIP_FLOW = ReviewFlow(
    noun="转移接续/终止申请",
    submit_perm=SUBMIT_PERM,
    review_perm="enrollment.review_relationshipapplication",
    on_approve=_approved,
    before_move=_before_move,
    default_opinions={RS.TOWN_APPROVED: "材料齐全，情况属实", RS.COUNTY_APPROVED: "经复核，同意办理"},
    done={RS.COUNTY_APPROVED: "县复核通过，账户已结算", RS.CANCELLED: "申请已撤销"},
    select_related=("person",),
)
