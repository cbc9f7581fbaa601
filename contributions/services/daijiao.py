"""政府代缴 (§2.5): the yearly batch crediting 代缴 to the hardship groups."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from linggao_pension.money import ZERO, quantize
from linggao_pension.org.services import jobrun_progress

from .. import rules, selectors
from ..models import (
    AccountEntry,
    EntryKind,
    Source,
)
from ._checks import _system_or_perm
from .ledger import BATCH_CHUNK, NewEntry, account_post_fast

# --- 政府代缴 (§2.5) ------------------------------------------------------------------------------------

def daijiao_refusal(*, year: int, today: date) -> str | None:
    """Why 代缴 of `year` cannot be credited now, or None."""
    if year > today.year:
        return f"不能为以后年度（{year}）执行代缴入账"
    if not selectors.daijiao_amounts(year):
        return f"{year} 年度未设置政府代缴标准，不能入账"
    return None


def daijiao_post(*, year: int, by, job=None, chunk_size: int = BATCH_CHUNK) -> dict:
    """Credit 代缴 of `year` to every contributing (or contribution-suspended) person enrolled by the
    end of that year whose identity code IN FORCE THAT YEAR (the person's history: the code held at
    the end of the year, selectors.with_identity_in_force) has a 代缴 amount that year and who has
    none yet: a person who left a hardship group since gets the past year's 代缴 all the same, one
    who joined it since does not.

    Dated today, or 31 Dec of the year when run for a past year (binding defaults). Safe to rerun
    and to run twice at once: each chunk locks its persons' rows and skips those already credited,
    and a unique constraint refuses a second 代缴 credit of a year in any case."""
    _system_or_perm(by, "contributions.post_daijiao", "无权执行政府代缴入账")
    today = timezone.localdate()
    refusal = daijiao_refusal(year=year, today=today)
    if refusal:
        raise ValidationError(refusal)
    amounts = selectors.daijiao_amounts(year)
    entry_date = rules.daijiao_entry_date(year, today)
    eligible = selectors.with_identity_in_force(
        Person.objects.contributing().filter(enrolled_on__lte=date(year, 12, 31)), year=year
    ).filter(identity_in_force__in=list(amounts))
    total_people = eligible.count()
    credited, total, done, last = 0, ZERO, 0, 0
    while True:
        ids = list(eligible.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not ids:
            break
        with transaction.atomic():
            list(Person.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
            locked = list(
                selectors.with_identity_in_force(Person.objects.filter(pk__in=ids), year=year)
                .order_by("pk").values_list("pk", "identity_in_force")
            )
            already = set(
                AccountEntry.objects.filter(
                    person_id__in=ids, source=Source.DAIJIAO, kind=EntryKind.CREDIT, year=year
                ).values_list("person_id", flat=True)
            )
            entries = [
                NewEntry(pid, Source.DAIJIAO, EntryKind.CREDIT, amounts[identity], entry_date, year, f"{year}年度政府代缴")
                for pid, identity in locked
                if pid not in already and identity in amounts
            ]
            account_post_fast(entries=entries, by=by)
        credited += len(entries)
        total += sum((e.amount for e in entries), ZERO)
        done += len(ids)
        last = ids[-1]
        if job is not None:
            jobrun_progress(job=job, done=done, total=total_people)
    return {"year": year, "credited": credited, "total": str(quantize(total))}


def daijiao_start(*, year: int, by):
    """The year-end page's 代缴入账 button: records the job, which runs daijiao_post after commit."""
    from linggao_pension.org.services import job_start

    _system_or_perm(by, "contributions.post_daijiao", "无权执行政府代缴入账")
    refusal = daijiao_refusal(year=year, today=timezone.localdate())
    if refusal:
        raise ValidationError({"year": refusal})
    return job_start(kind="contributions.post_daijiao", by=by, params={"year": year})


def daijiao_post_job(*, job, by, year) -> dict:
    return daijiao_post(year=int(year), by=by, job=job)
