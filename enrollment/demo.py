"""Demo data for enrollment: a county-sized registry and applications at every review step.

About one in four residents is aged 60 or more. In every town some residents reach 60 in this
month and the next two (so the benefits 到龄名单 has people) and some reached 60 in the last three
months (the benefits demo takes them through a claim).

Loaded with COPY on PostgreSQL (multi-row INSERTs on SQLite), history rows by INSERT ... SELECT. Skipped
when the registry already has people, so seed_demo can be run again.
"""

import calendar
import random
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from linggao_pension import periods
from linggao_pension.demo_bulk import copy_objects, fast_session, history_insert_select
from linggao_pension.org.models import StatusChange, Town, User, Village

from . import rules
from .models import (
    ChangeRequest,
    EnrollmentApplication,
    Person,
    ReviewStatus,
)
from .services import insured_numbers_allocate

RS = ReviewStatus


def _step(record, from_status: str, to_status: str, by, opinion: str, at) -> StatusChange:
    """A review step as review_move writes it (the entry and the submission make their user a maker)."""
    return StatusChange(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
        action=StatusChange.Action.CREATE if not from_status else StatusChange.Action.MOVE,
        from_status=from_status, to_status=to_status, by=by, opinion=opinion, at=at,
        maker=not from_status or to_status == RS.TOWN_APPROVED,
    )

# Common surnames in Lingao (符, 王, 陈, 李, 林 ... weighted roughly as in Hainan).
SURNAMES = (
    "王" * 14 + "符" * 12 + "陈" * 11 + "李" * 9 + "林" * 9 + "吴" * 6 + "黄" * 6 + "刘" * 4 + "张" * 4
    + "周" * 3 + "郑" * 3 + "谢" * 3 + "许" * 2 + "蔡" * 2 + "邢" * 2 + "冯" * 2 + "羊" * 2 + "文" * 2
    + "曾" * 2 + "梁" + "何" + "唐" + "钟" + "麦" + "卢" + "云" + "洪" + "杨" + "潘" + "韩"
)
MALE_CHARS = "国明海文建华志强伟军平福德永生春雄成义光荣金山东发兴良忠运祥才"
FEMALE_CHARS = "秀梅兰芳玉英桂丽美凤珍娟霞红花琼妹春燕月云翠香菊琴莲娥小婷"
BANKS = ["海南农信", "海南农信", "海南农信", "中国农业银行", "中国邮政储蓄银行", "中国工商银行", "中国建设银行"]
SPECIAL_IDENTITIES = ["021", "022", "023", "031", "032", "051", "052", "061", "062", "063", "071"]
OLD_LINGAO_AREA = "460028"  # Lingao's administrative code on older ID cards
LINGAO_AREA = "469024"
SCHEME_START = date(2011, 7, 1)
BATCH = 25000
OLD_SHARE = 0.25  # about one in four aged 60 or more
# Residents who reach 60 (the binding default benefit age) in these months, relative to the
# current one: the 到龄名单 of this month and the next two first, then the last three months.
DUE_AGE = 60
DUE_MONTHS = ((0, 1, 2), (-1, -2, -3))


def _name(rng: random.Random, sex: str) -> str:
    chars = MALE_CHARS if sex == "1" else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.8 else "")
    return rng.choice(SURNAMES) + given


def _id_number(rng: random.Random, birth: date, sex: str, taken: set[str]) -> str:
    area = LINGAO_AREA if rng.random() < 0.8 else OLD_LINGAO_AREA
    while True:
        last = rng.randrange(1, 10, 2) if sex == "1" else rng.randrange(0, 10, 2)
        first17 = f"{area}{birth:%Y%m%d}{rng.randrange(100):02d}{last}"
        number = first17 + rules.id_check_char(first17)
        if number not in taken:
            taken.add(number)
            return number


def _birth(rng: random.Random, today: date, old_share: float = OLD_SHARE) -> date:
    # A share `old_share` aged 60 or more (16-59 and 60-95 otherwise uniform).
    age = rng.randint(60, 95) if rng.random() < old_share else rng.randint(16, 59)
    latest = periods.add_years(today, -age)
    return latest - timedelta(days=rng.randint(0, 364))


def _due_birth(rng: random.Random, today: date, months: int) -> date:
    """A birth date reaching DUE_AGE in the month `months` after the current one (never 29 Feb,
    whose birthday moves to March in a common year)."""
    month = periods.add_months(periods.month_start(today), months)
    year = month.year - DUE_AGE
    last = 28 if month.month == 2 else calendar.monthrange(year, month.month)[1]
    return date(year, month.month, rng.randint(1, last))


def _plan(
    rng: random.Random, today: date, towns: list[Town], weights: list[float], residents: int
) -> tuple[list[tuple[Town, date | None]], float]:
    """(town, birth date or None for a random age) of each resident in random order, and the share
    of the random ages to draw at 60 or more. The residents reaching 60 around now are spread over
    the towns, each town in turn getting one for every month of a DUE_MONTHS group (the coming
    months first; at most a fifth of a small registry); the random ages make up the one in four
    aged 60 or more."""
    per_month = max(len(towns), residents // 500)
    due: list[tuple[Town, date | None]] = []
    start = rng.randrange(len(towns))
    for months in DUE_MONTHS:
        for k in range(per_month * len(months)):
            town = towns[(start + k // len(months)) % len(towns)]
            due.append((town, _due_birth(rng, today, months[k % len(months)])))
    due = due[: residents // 5]
    due_count = len(due)
    old_due = sum(rules.age_on(birth, today) >= DUE_AGE for _, birth in due if birth)
    rest = residents - due_count
    plan = due + [(town, None) for town in rng.choices(towns, weights, k=rest)]
    rng.shuffle(plan)
    old_share = min(1.0, max(0.0, (OLD_SHARE * residents - old_due) / rest)) if rest else 0.0
    return plan, old_share


def _resident(
    rng: random.Random, today: date, taken: set[str], town: Town, villages: list[Village], *,
    birth: date | None = None, old_share: float = OLD_SHARE,
) -> dict:  # fmt: skip
    sex = rng.choice("12")
    birth = birth or _birth(rng, today, old_share)
    village = rng.choice(villages) if villages and rng.random() < 0.95 else None
    place = f"海南省临高县{town.name}{village.name if village else ''}{rng.randint(1, 120)}号"
    identity = rng.choice(SPECIAL_IDENTITIES) if rng.random() < 0.06 else "011"
    phone_prefix = rng.choice(["135", "136", "138", "139", "150", "158", "177", "189", "198"])
    return {
        "id_number": _id_number(rng, birth, sex, taken),
        "name": _name(rng, sex),
        "sex": sex,
        "birth_date": birth,
        "ethnicity": "19" if rng.random() < 0.08 else "01",
        "hukou_type": Person.HukouType.URBAN if rng.random() < 0.15 else Person.HukouType.RURAL,
        "hukou_address": place,
        "residential_address": place if rng.random() < 0.8 else "",
        "phone": f"{phone_prefix}{rng.randrange(10**8):08d}" if rng.random() < 0.9 else "",
        "town": town,
        "village": village,
        "identity_id": identity,
        "land_expropriated": rng.random() < 0.03,
        "old_rural_pension": rng.random() < 0.08 and birth.year < 1960,
        "dismissed_teacher": rng.random() < 0.002,
        "bank_name": rng.choice(BANKS),
        "bank_account": f"62{rng.randrange(10**17):017d}",
    }


def _enrolled_on(rng: random.Random, birth: date, today: date) -> date:
    start = max(SCHEME_START, periods.add_years(birth, 16))
    end = today - timedelta(days=30)
    if start >= end:  # just turned 16: enrolled on the birthday (never before, R2)
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def seed(*, rng: random.Random, residents: int, stdout) -> dict:
    if Person.objects.exists():
        stdout.write("参保人员已存在，跳过参保登记演示数据。\n")
        return {"persons": Person.objects.count(), "skipped": True}
    today = timezone.localdate()
    now = timezone.now()
    towns = list(Town.objects.filter(is_active=True).order_by("sort_order"))
    villages: dict[int, list[Village]] = {t.pk: [] for t in towns}
    for village in Village.objects.filter(is_active=True):
        villages.setdefault(village.town_id, []).append(village)
    # The county seat and the bigger towns hold more people.
    weights = [3.0 if i == 0 else (0.6 if t.kind == Town.Kind.FARM else 1.0) for i, t in enumerate(towns)]
    taken: set[str] = set()
    plan, old_share = _plan(rng, today, towns, weights, residents)

    created = 0
    for start in range(0, residents, BATCH):
        count = min(BATCH, residents - start)
        with transaction.atomic():
            fast_session()
            numbers = insured_numbers_allocate(count=count)
            objs = []
            for number, (town, birth) in zip(numbers, plan[start : start + count], strict=True):
                values = _resident(rng, today, taken, town, villages[town.pk], birth=birth, old_share=old_share)
                objs.append(
                    Person(
                        insured_no=number,
                        enrolled_on=_enrolled_on(rng, values["birth_date"], today),
                        status=Person.Status.CONTRIBUTING,
                        **values,
                    )
                )
            copy_objects(Person, objs)
            # The "created" history rows, written by the database (bulk_history_create would double the time).
            history_insert_select(Person, where="insured_no BETWEEN %s AND %s", params=[numbers[0], numbers[-1]],
                                  reason="演示数据")
        created += count

    applications, changes = _seed_workflow(rng=rng, today=today, now=now, towns=towns, villages=villages,
                                           taken=taken, residents=residents)  # fmt: skip
    return {"persons": created, "applications": applications, "change_requests": changes}


def _seed_workflow(*, rng, today, now, towns, villages, taken, residents) -> tuple[int, int]:
    """Applications and change requests at each review step, entered by the demo town agents."""
    agents = list(User.objects.filter(town__isnull=False, groups__name="镇/农场经办员").select_related("town"))
    clerk = User.objects.filter(username="clerk").first()
    if not agents or clerk is None:
        return 0, 0
    per_agent = max(6, min(60, residents // 300))
    steps = [RS.DRAFT, RS.TOWN_APPROVED, RS.TOWN_APPROVED, RS.TOWN_RETURNED, RS.COUNTY_RETURNED, RS.CANCELLED]
    applications, app_changes = [], []
    for agent in agents:
        for i in range(per_agent):
            values = _resident(rng, today, taken, agent.town, villages.get(agent.town_id, []))
            values.pop("identity_id")
            status = steps[i % len(steps)]
            created_at = now - timedelta(days=rng.randint(2, 40), minutes=rng.randint(0, 600))
            app = EnrollmentApplication(
                **values, identity_id="011", applied_on=timezone.localdate(created_at), status=status,
                created_by=agent, created_at=created_at,
            )  # fmt: skip
            # Each step: (from, to, by, opinion, when) — the same times as on the application.
            later = created_at + timedelta(hours=2)
            trail = [("", RS.DRAFT, agent, "录入", created_at)]
            if status in (RS.TOWN_APPROVED, RS.COUNTY_RETURNED):
                app.submitted_by, app.submitted_at = agent, later
                app.town_opinion = "材料齐全，符合参保条件，同意上报"
                trail.append((RS.DRAFT, RS.TOWN_APPROVED, agent, app.town_opinion, later))
            if status == RS.COUNTY_RETURNED:
                app.reviewed_by, app.reviewed_at = clerk, created_at + timedelta(days=1)
                app.county_opinion = "户籍地址与户口簿不一致，请核实后重新提交"
                trail.append((RS.TOWN_APPROVED, RS.COUNTY_RETURNED, clerk, app.county_opinion, app.reviewed_at))
            if status == RS.TOWN_RETURNED:
                app.town_opinion = "缺少户口簿复印件，请补充"
                trail.append((RS.DRAFT, RS.TOWN_RETURNED, agent, app.town_opinion, later))
            if status == RS.CANCELLED:
                trail.append((RS.DRAFT, RS.CANCELLED, agent, "申请人已参加职工养老保险，撤销申请", later))
            applications.append(app)
            app_changes.append(trail)
    with transaction.atomic():
        applications = bulk_create_with_history(applications, EnrollmentApplication, default_change_reason="演示数据")
        rows = []
        for app, trail in zip(applications, app_changes, strict=True):
            for from_status, to_status, by, opinion, at in trail:
                rows.append(_step(app, from_status, to_status, by, opinion, at))
        StatusChange.objects.bulk_create(rows)

        # Open change requests (new phone or bank account) for a few people of each agent's town.
        requests, trails = [], []
        for agent in agents:
            persons = list(Person.objects.filter(town=agent.town).order_by("?")[:per_agent // 2])
            for i, person in enumerate(persons):
                submitted = i % 2 == 1
                cr = ChangeRequest(
                    person=person, town=agent.town, reason="本人申请更换联系电话和银行卡", created_by=agent,
                    changed_fields=["phone", "bank_account"], new_phone=f"139{rng.randrange(10**8):08d}",
                    new_bank_account=f"62{rng.randrange(10**17):017d}",
                    status=RS.TOWN_APPROVED if submitted else RS.DRAFT,
                    town_opinion="情况属实，同意变更" if submitted else "",
                    submitted_by=agent if submitted else None, submitted_at=now if submitted else None,
                )  # fmt: skip
                requests.append(cr)
                trails.append(submitted)
        requests = ChangeRequest.objects.bulk_create(requests)
        rows = []
        for cr, submitted in zip(requests, trails, strict=True):
            rows.append(_step(cr, "", RS.DRAFT, cr.created_by, "录入", now))
            if submitted:
                rows.append(_step(cr, RS.DRAFT, RS.TOWN_APPROVED, cr.created_by, cr.town_opinion, now))
        StatusChange.objects.bulk_create(rows)
    return len(applications), len(requests)
