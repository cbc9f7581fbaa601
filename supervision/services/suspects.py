"""疑点核查 (三(2)①): external lists matched against the registry, pensions and payments, and
scans of the system's own data. Each case is one SuspectItem, unique per (kind, person, key), so a
rerun of the same list (or two at once) adds nothing. An auditor verifies or dismisses each with a
reason; a verified item starts the matching action through the benefits app's services.

Amounts are what the payroll actually paid (lines 已支付), summed per month:
- paid after death: the months after the death month (R11: paid up to and including it);
- duplicate receipt with the employee scheme: the months from the employee pension's start (R12);
- imprisoned: the months after the sentence's start month up to its end month (or this month);
- a contributor who died: the personal account balance to settle (no months).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from benefits.models import PayrollLine, Pension
from contributions.selectors import balance
from enrollment.models import Person
from linggao_pension import periods
from linggao_pension.imports import FileFormatError, ImportResult, RowError
from linggao_pension.org.models import JobRun
from linggao_pension.org.services import job_start, jobrun_progress

from .. import suspect_lists
from ..models import SuspectItem, SuspectList
from . import benefit_actions
from .common import CHECK_SUSPECTS, check_move, require_perm, required_text

K = SuspectItem.Kind
IMPORT_JOB = "supervision.import_suspect_list"
SCAN_JOB = "supervision.scan_system"
LIST_KINDS = ("deaths", "employee_pensions", "prison")
CENTENARIAN_AGE = 100


@dataclass
class Candidate:
    kind: str
    person: Person
    key: str
    event_date: date | None = None
    event_end: date | None = None
    months: list[date] = field(default_factory=list)
    amount: Decimal | None = None
    basic_amount: Decimal | None = None
    detail: str = ""


@dataclass
class MatchOutcome:
    rows: int = 0
    matched: int = 0
    new_items: int = 0
    items: list[SuspectItem] = field(default_factory=list)
    suspect_list: SuspectList | None = None

    def as_dict(self) -> dict:
        return {"rows": self.rows, "matched": self.matched, "new_items": self.new_items,
                "items": [item_json(i) for i in self.items]}  # fmt: skip


def item_json(item: SuspectItem) -> dict:
    return {
        "id_number": item.id_number, "kind": item.kind, "months": [m for m in item.months],
        "amount": None if item.amount is None else f"{item.amount:.2f}",
    }  # fmt: skip


def _paid_by_month(person_ids) -> dict[int, dict[date, tuple[Decimal, Decimal]]]:
    """person id -> month -> (amount, basic amount) paid (lines 已支付, every kind summed)."""
    out: dict[int, dict[date, list[Decimal]]] = defaultdict(dict)
    lines = PayrollLine.objects.filter(person_id__in=person_ids, status=PayrollLine.Status.PAID).values_list(
        "person_id", "month", "amount", "basic_amount"
    )
    for person_id, month, amount, basic in lines:
        total, basic_total = out[person_id].get(month, (Decimal("0.00"), Decimal("0.00")))
        out[person_id][month] = (total + amount, basic_total + basic)
    return out


def _paid_in(paid: dict[date, tuple[Decimal, Decimal]], keep) -> tuple[list[date], Decimal, Decimal]:
    months = sorted(m for m in paid if keep(m))
    return months, sum((paid[m][0] for m in months), Decimal("0.00")), sum((paid[m][1] for m in months), Decimal("0.00"))


def _name_note(row, person: Person) -> str:
    return "" if row.name == person.name else f"名单姓名“{row.name}”与登记姓名不一致；"


def match_rows(kind: str, rows, *, today: date) -> tuple[int, list[Candidate]]:
    """The registry's persons named in the list, and the cases found (pure reads)."""
    persons = {}
    ids = [r.id_number for r in rows]
    for i in range(0, len(ids), 1000):
        for person in Person.objects.filter(id_number__in=ids[i : i + 1000]).select_related("town"):
            persons[person.id_number] = person
    pensions = {p.person_id: p for p in Pension.objects.filter(person__in=persons.values())}
    paid = _paid_by_month([p.pk for p in persons.values()])
    this_month = periods.month_start(today)
    found = []
    for row in rows:
        person = persons.get(row.id_number)
        if person is None:
            continue
        pension, history = pensions.get(person.pk), paid.get(person.pk, {})
        note = _name_note(row, person)
        if kind == "deaths":
            death_month = periods.month_start(row.start)
            months, amount, basic = _paid_in(history, lambda m, d=death_month: m > d)
            key = row.start.isoformat()
            if months:
                found.append(Candidate(K.PAID_AFTER_DEATH, person, key, row.start, None, months, amount, basic,
                                       note + f"死亡日期 {row.start:%Y-%m-%d}，其后 {len(months)} 个月仍发放待遇"))
            elif pension is not None and pension.status == Pension.Status.ACTIVE:
                found.append(Candidate(K.PENSIONER_DIED, person, key, row.start,
                                       detail=note + f"死亡日期 {row.start:%Y-%m-%d}，待遇尚未停发"))
            elif pension is None and person.status in (Person.Status.CONTRIBUTING, Person.Status.CONTRIB_SUSPENDED):
                found.append(Candidate(K.CONTRIBUTOR_DIED, person, key, row.start, amount=balance(person=person),
                                       detail=note + f"死亡日期 {row.start:%Y-%m-%d}，个人账户待结算"))
        elif kind == "employee_pensions":
            months, amount, basic = _paid_in(history, lambda m, s=row.start: m >= s)
            if months:
                found.append(Candidate(K.DUPLICATE_EMPLOYEE, person, f"{row.start:%Y-%m}", row.start, None, months,
                                       amount, basic,
                                       note + f"职工养老金自 {row.start:%Y-%m} 起领取，重复领取 {len(months)} 个月"))
        elif kind == "prison":
            first, last = periods.month_start(row.start), periods.month_start(row.end) if row.end else this_month
            months, amount, basic = _paid_in(history, lambda m, a=first, b=last: a < m <= b)
            serving = row.end is None or row.end >= today
            if months or (serving and pension is not None and pension.status == Pension.Status.ACTIVE):
                found.append(Candidate(
                    K.IMPRISONED, person, row.start.isoformat(), row.start, row.end, months, amount, basic,
                    note + f"服刑 {row.start:%Y-%m-%d} 至 {row.end:%Y-%m-%d}" if row.end else note + f"{row.start:%Y-%m-%d} 起服刑",
                ))  # fmt: skip
    return len(persons), found


def _store(*, kind: str, candidates: list[Candidate], suspect_list: SuspectList) -> list[SuspectItem]:
    """Insert the cases not yet known (the unique constraint drops the others, also when two runs
    race) and return every item the candidates name, new and old."""
    objs = [
        SuspectItem(
            kind=c.kind, person=c.person, id_number=c.person.id_number, name=c.person.name, key=c.key[:40],
            event_date=c.event_date, event_end=c.event_end, months=[f"{m:%Y-%m}" for m in c.months],
            amount=c.amount, basic_amount=c.basic_amount, detail=c.detail[:300], source_list=suspect_list,
        )
        for c in candidates
    ]  # fmt: skip
    SuspectItem.objects.bulk_create(objs, ignore_conflicts=True, batch_size=500)
    wanted = {(c.kind, c.person.pk, c.key[:40]) for c in candidates}
    person_ids = {c.person.pk for c in candidates}
    items = [
        i for i in SuspectItem.objects.filter(person_id__in=person_ids).order_by("pk")
        if (i.kind, i.person_id, i.key) in wanted
    ]  # fmt: skip
    return items


def suspect_list_import(*, kind: str, file, filename: str, by=None, job: JobRun | None = None,
                        today: date | None = None) -> tuple[ImportResult, MatchOutcome]:
    """The one write service of a list: all or nothing (a bad row: nothing saved, every error listed)."""
    if by is not None:
        require_perm(by, CHECK_SUSPECTS, "只有稽核员可以导入比对名单")
    if kind not in LIST_KINDS:
        raise ValidationError({"kind": "名单类型应为 deaths、employee_pensions 或 prison"})
    today = today or timezone.localdate()
    result, outcome = ImportResult(), MatchOutcome()
    try:
        rows, errors = suspect_lists.parse(kind, file, today=today)
    except FileFormatError as exc:
        result.errors.append(RowError(1, "文件", str(exc)))
        return result, outcome
    if errors:
        result.errors = errors
        return result, outcome
    if job is not None:
        jobrun_progress(job=job, done=0, total=len(rows))
    with transaction.atomic():
        matched, candidates = match_rows(kind, rows, today=today)
        suspect_list = SuspectList.objects.create(kind=kind, filename=filename[:120], rows=len(rows), matched=matched,
                                                  job=job, imported_by=by)  # fmt: skip
        items = _store(kind=kind, candidates=candidates, suspect_list=suspect_list)
        new = sum(1 for i in items if i.source_list_id == suspect_list.pk)
        SuspectList.objects.filter(pk=suspect_list.pk).update(new_items=new)
    result.imported = len(rows)
    outcome.rows, outcome.matched, outcome.new_items, outcome.items = len(rows), matched, new, items
    outcome.suspect_list = suspect_list
    return result, outcome


def suspect_list_start(*, kind: str, upload, by) -> JobRun:
    """The upload page: check the actor; the file is stored with the job, which runs after commit."""
    require_perm(by, CHECK_SUSPECTS, "只有稽核员可以导入比对名单")
    if kind not in LIST_KINDS:
        raise ValidationError({"kind": "请选择名单类型"})
    return job_start(kind=IMPORT_JOB, by=by, params={"kind": kind}, upload=upload)


def system_scan_start(*, by) -> JobRun:
    require_perm(by, CHECK_SUSPECTS, "只有稽核员可以比对系统数据")
    return job_start(kind=SCAN_JOB, by=by)


def suspect_list_job(*, job: JobRun, by, kind: str, path: str = "", stored: str = "", filename: str = "") -> dict:
    """Job handler: the file is a path (the command) or a name in default storage (the upload page).
    A refused file fails the job with every bad row in its result."""
    opener = default_storage.open(stored, "rb") if stored else open(path, "rb")  # noqa: SIM115
    with opener as file:
        result, outcome = suspect_list_import(kind=kind, file=file, filename=filename, by=by, job=job)
    if not result.ok:
        JobRun.objects.filter(pk=job.pk).update(result=result.as_dict(), counts={"errors": len(result.errors)})
        raise ValidationError(f"导入失败：发现 {len(result.errors)} 处错误，未导入任何数据")
    job.counts = {"rows": outcome.rows, "matched": outcome.matched, "new_items": outcome.new_items}
    data = outcome.as_dict()
    data["list"] = outcome.suspect_list.pk
    return data


# --- scans of the system's own data -----------------------------------------------------------


def system_candidates(*, today: date) -> list[Candidate]:
    """One bank account shared by several pensioners; aged over 100 and not certified in a year."""
    found = []
    active = Pension.objects.filter(status=Pension.Status.ACTIVE).exclude(person__bank_account="")
    shared = (active.values("person__bank_account").annotate(n=Count("pk")).filter(n__gte=2)
              .values_list("person__bank_account", flat=True))  # fmt: skip
    groups: dict[str, list[Person]] = defaultdict(list)
    for pension in active.filter(person__bank_account__in=list(shared)).select_related("person"):
        groups[pension.person.bank_account].append(pension.person)
    for account, persons in groups.items():
        for person in persons:
            others = "、".join(p.name for p in persons if p.pk != person.pk)
            found.append(Candidate(K.SHARED_ACCOUNT, person, f"acct:{account}"[:40],
                                   detail=f"尾号{account[-4:]}的账号共 {len(persons)} 名领取人使用（另有：{others}）"[:300]))
    born_before = periods.add_years(today, -CENTENARIAN_AGE)
    certified_before = periods.add_years(today, -1)
    old = Pension.objects.filter(status=Pension.Status.ACTIVE, person__birth_date__lte=born_before,
                                 last_certified_on__lt=certified_before).select_related("person")  # fmt: skip
    for pension in old:
        age = periods.full_years(pension.person.birth_date, today)
        found.append(Candidate(K.CENTENARIAN_UNCERTIFIED, pension.person, f"cert:{pension.last_certified_on:%Y-%m-%d}",
                               event_date=pension.last_certified_on,
                               detail=f"{age} 周岁，最近认证 {pension.last_certified_on:%Y-%m-%d}，一年以上未认证"))
    return found


def system_scan(*, by=None, job: JobRun | None = None, today: date | None = None) -> MatchOutcome:
    if by is not None:
        require_perm(by, CHECK_SUSPECTS, "只有稽核员可以比对系统数据")
    today = today or timezone.localdate()
    with transaction.atomic():
        candidates = system_candidates(today=today)
        suspect_list = SuspectList.objects.create(kind=SuspectList.Kind.SYSTEM, filename="本系统数据比对",
                                                  rows=len(candidates), matched=len(candidates), job=job,
                                                  imported_by=by)  # fmt: skip
        items = _store(kind="system", candidates=candidates, suspect_list=suspect_list)
        new = sum(1 for i in items if i.source_list_id == suspect_list.pk)
        SuspectList.objects.filter(pk=suspect_list.pk).update(new_items=new)
    return MatchOutcome(rows=len(candidates), matched=len(candidates), new_items=new, items=items,
                        suspect_list=suspect_list)


def system_scan_job(*, job: JobRun, by) -> dict:
    outcome = system_scan(by=by, job=job)
    job.counts = {"matched": outcome.matched, "new_items": outcome.new_items}
    return {**outcome.as_dict(), "list": outcome.suspect_list.pk}


# --- the auditor's decision ---------------------------------------------------------------------


@transaction.atomic
def suspect_verify(*, item: SuspectItem, reason: str, by) -> SuspectItem:
    """核实属实: records the decision and starts the matching action in benefits, once."""
    require_perm(by, CHECK_SUSPECTS, "只有稽核员可以核实疑点")
    item = SuspectItem.objects.select_for_update().select_related("person").get(pk=item.pk)
    check_move(item, SuspectItem.Status.VERIFIED, "疑点")
    reason = required_text(reason, "reason", "请填写核查意见")
    item.status, item.reason, item.decided_by, item.decided_at = SuspectItem.Status.VERIFIED, reason, by, timezone.now()
    item.action = benefit_actions.start_for(item=item, by=by, reason=reason, today=timezone.localdate())[:120]
    item.save(update_fields=["status", "reason", "decided_by", "decided_at", "action"])
    return item


@transaction.atomic
def suspect_dismiss(*, item: SuspectItem, reason: str, by) -> SuspectItem:
    require_perm(by, CHECK_SUSPECTS, "只有稽核员可以排除疑点")
    item = SuspectItem.objects.select_for_update().get(pk=item.pk)
    check_move(item, SuspectItem.Status.DISMISSED, "疑点")
    item.reason = required_text(reason, "reason", "排除疑点须写明理由")
    item.status, item.decided_by, item.decided_at = SuspectItem.Status.DISMISSED, by, timezone.now()
    item.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return item
