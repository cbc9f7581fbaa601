"""Eligibility certification (领取资格认证, R10): each certification is recorded (date, method, who);
the next is due a cycle later (待遇参数); a certification resumes a pensioner suspended for an
overdue one (1201) and the next payroll back-pays the withheld months once. Results from the
provincial self-service system arrive in bulk (certifications_import, all or nothing)."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linggao_pension.imports import (
    FileFormatError,
    ImportResult,
    RowError,
    cell_date,
    import_job,
    read_rows,
    text,
)
from linggao_pension.org.access import can_act_for_town
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import job_start, jobrun_progress

from ..models import Certification, Pension, Suspension
from .common import require, require_town
from .suspension import resume_month_for, suspension_end

CERT_IMPORT_JOB = "benefits.import_certifications"
CERT_HEADERS = ["身份证号", "认证日期", "认证方式"]
CERT_EXAMPLE = ["469024195801011234", "2026-03-10", "人脸识别自助"]
METHODS_BY_LABEL = {label: value for value, label in Certification.Method.choices}


def _certify(*, pension: Pension, certified_on: date, method: str, by, note: str, origin: str) -> Certification:
    """Record one certification of a locked pension (the caller checked the actor)."""
    cert = Certification.objects.create(pension=pension, person_id=pension.person_id, certified_on=certified_on,
                                        method=method, origin=origin, note=note[:200], recorded_by=by)
    if certified_on > pension.last_certified_on:
        pension.last_certified_on = certified_on
        pension._history_user, pension._change_reason = by, f"领取资格认证（{cert.get_method_display()}）"
        pension.save(update_fields=["last_certified_on"])
    open_1201 = Suspension.objects.filter(pension=pension, end_month__isnull=True, reason_code="1201").first()
    if open_1201 is not None:
        suspension_end(suspension=open_1201, resume_month=resume_month_for(certified_on), by=by,
                       note=f"{certified_on} 通过领取资格认证（{cert.get_method_display()}），补发暂停期间待遇")
    return cert


def _check(pension: Pension, certified_on: date, today: date) -> str:
    if certified_on > today:
        return "认证日期不能晚于今天"
    if pension.status != Pension.Status.ACTIVE:
        return "该养老金已停止发放，不能认证"
    if certified_on < pension.start_month.replace(year=pension.start_month.year - 1):
        return "认证日期过早"
    return ""


@transaction.atomic
def certification_record(*, pension: Pension, certified_on: date, method: str, by, note: str = "") -> Certification:
    """A town agent or clerk records a certification (现场, 电话, 人脸识别自助, 入户, 村委会证明)."""
    require(by, "benefits.record_certification", "只有镇/农场经办员或县局经办员可以录入领取资格认证")
    pension = Pension.objects.select_for_update().select_related("person").get(pk=pension.pk)
    require_town(by, pension.person.town_id)
    if method not in Certification.Method.values:
        raise ValidationError({"method": "请选择认证方式"})
    problem = _check(pension, certified_on, timezone.localdate())
    if problem:
        raise ValidationError({"certified_on": problem})
    return _certify(pension=pension, certified_on=certified_on, method=method, by=by, note=note,
                    origin=Certification.Origin.MANUAL)


@dataclass
class _Row:
    pension_id: int
    certified_on: date
    method: str


def certifications_import(*, file, by, job: JobRun | None = None) -> ImportResult:
    """The provincial self-service results (身份证号, 认证日期, 认证方式): every row checked first,
    then all written in one transaction, or nothing with every bad row listed."""
    require(by, "benefits.record_certification", "只有县局经办员可以导入认证结果")
    try:
        rows = read_rows(file, CERT_HEADERS)
    except FileFormatError as exc:
        return ImportResult(errors=[RowError(1, "", str(exc))])
    if not rows:
        return ImportResult(errors=[RowError(2, "", "文件中没有数据行")])
    if job is not None:
        jobrun_progress(job=job, done=0, total=len(rows))
    today = timezone.localdate()
    ids = [text(r.values["身份证号"]).upper() for r in rows]
    pensions = {p.person.id_number: p for p in Pension.objects.filter(person__id_number__in=ids).select_related("person")}
    result, parsed, seen = ImportResult(), [], {}
    for row, id_number in zip(rows, ids, strict=True):
        before = len(result.errors)

        def error(column, message, row=row):
            result.errors.append(RowError(row.number, column, message))

        pension = pensions.get(id_number)
        if not id_number:
            error("身份证号", "不能为空")
        elif id_number in seen:
            error("身份证号", f"与第 {seen[id_number]} 行重复")
        elif pension is None or not can_act_for_town(by, pension.person.town_id):
            # A town-limited actor imports only their own town's people; elsewhere is "not found".
            error("身份证号", "未找到该身份证号的待遇领取人员")
            pension = None
        seen.setdefault(id_number, row.number)
        method = METHODS_BY_LABEL.get(text(row.values["认证方式"]))
        if method is None:
            error("认证方式", f"应为{'、'.join(METHODS_BY_LABEL)}之一")
        try:
            certified_on = cell_date(row.values["认证日期"])
        except ValueError as exc:
            error("认证日期", str(exc))
            certified_on = None
        if pension is not None and certified_on is not None:
            problem = _check(pension, certified_on, today)
            if problem:
                error("认证日期", problem)
        if len(result.errors) == before:
            parsed.append(_Row(pension.pk, certified_on, method))
    if result.errors:
        return result
    with transaction.atomic():
        locked = {p.pk: p for p in Pension.objects.select_for_update().filter(pk__in=[r.pension_id for r in parsed])}
        for i, row in enumerate(parsed):
            pension = locked[row.pension_id]
            if pension.status != Pension.Status.ACTIVE:
                raise ValidationError("导入期间有人员已停止发放，未导入任何数据，请重新导入")
            _certify(pension=pension, certified_on=row.certified_on, method=row.method, by=by, note="省自助认证导入",
                     origin=Certification.Origin.IMPORT)
            if job is not None and i % 500 == 0:
                jobrun_progress(job=job, done=i)
    result.imported = len(parsed)
    return result


def certifications_import_start(*, upload, by) -> JobRun:
    """The upload page: the file is stored with its job, which runs after commit (org:import_result)."""
    require(by, "benefits.import_certifications", "只有县局经办员可以导入省自助认证结果")
    return job_start(kind=CERT_IMPORT_JOB, by=by, upload=upload)


def certifications_import_job(*, job: JobRun, by, path: str = "", stored: str = "", filename: str = "") -> dict:
    """Job handler (job_handlers["benefits.import_certifications"]): a path on disk (the command) or a
    name in default storage (the upload page); a refused file fails the job with every bad row."""
    return import_job(job=job, path=path, stored=stored, run=lambda file: certifications_import(file=file, by=by, job=job))
