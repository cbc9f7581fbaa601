import io
import random
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import F

from enrollment import demo, rules
from enrollment.models import (
    ChangeRequest,
    EnrollmentApplication,
    Person,
    ReviewStatus,
)
from linggao_pension import periods
from linggao_pension.org import demo as org_demo
from linggao_pension.org.models import StatusChange, Town

pytestmark = pytest.mark.django_db


def test_demo_registry_is_realistic_and_not_duplicated():
    out = io.StringIO()
    org_demo.seed(rng=random.Random(1), residents=600, stdout=out)
    summary = demo.seed(rng=random.Random(1), residents=600, stdout=out)
    assert summary["persons"] == Person.objects.count() == 600
    assert Person.history.count() == 600
    first = Person.objects.order_by("pk").first()
    record = first.history.get()
    assert (record.history_type, record.history_change_reason) == ("+", "演示数据")
    assert (record.name, record.id_number, record.town_id) == (first.name, first.id_number, first.town_id)
    persons = list(Person.objects.all())
    today = date(2026, 3, 10)
    ages = [rules.age_on(p.birth_date, today) for p in persons]
    assert min(ages) >= 16 and max(ages) <= 96
    assert 0.18 < sum(a >= 60 for a in ages) / len(ages) < 0.32  # about one in four aged 60+
    for p in persons:
        assert rules.validate_id_number(p.id_number, today=today) == p.id_number
        assert (rules.id_sex(p.id_number), rules.id_birth_date(p.id_number)) == (p.sex, p.birth_date)
        assert periods.add_years(p.birth_date, 16) <= p.enrolled_on <= today
    assert len({p.id_number for p in persons}) == 600
    assert Person.objects.values("town").distinct().count() == Town.objects.count()
    assert Person.objects.exclude(identity_id="011").filter(identity_id__in=["021", "022", "031", "051", "061", "062"]).exists()
    assert all(p.bank_account for p in persons)
    assert Person.objects.filter(village__isnull=False).exclude(village__town=F("town")).count() == 0
    statuses = set(EnrollmentApplication.objects.values_list("status", flat=True))
    assert {ReviewStatus.DRAFT, ReviewStatus.TOWN_APPROVED, ReviewStatus.TOWN_RETURNED,
            ReviewStatus.COUNTY_RETURNED} <= statuses  # fmt: skip
    steps = StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(EnrollmentApplication))
    assert steps.count() >= EnrollmentApplication.objects.count()
    assert ChangeRequest.objects.exists()

    again = demo.seed(rng=random.Random(2), residents=600, stdout=out)
    assert again["skipped"] is True
    assert Person.objects.count() == 600


def _reaching_60(month: date):
    """Persons who reach 60 in `month` (the benefits 到龄名单: born in the same month 60 years earlier)."""
    return Person.objects.filter(birth_date__year=month.year - 60, birth_date__month=month.month)


def test_demo_has_people_reaching_60_now_in_every_town():
    # Frozen on 2026-03-10: the 到龄名单 of March, April and May 2026 (and the three months before,
    # for the benefits demo's claims) have people in every town; still about one in four aged 60+.
    out = io.StringIO()
    org_demo.seed(rng=random.Random(3), residents=600, stdout=out)
    demo.seed(rng=random.Random(3), residents=600, stdout=out)
    towns = Town.objects.count()
    for month in (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1), date(2026, 2, 1), date(2026, 1, 1),
                  date(2025, 12, 1)):  # fmt: skip
        reaching = _reaching_60(month)
        assert reaching.values("town").distinct().count() == towns, month
    today = date(2026, 3, 10)
    ages = [rules.age_on(b, today) for b in Person.objects.values_list("birth_date", flat=True)]
    assert 0.22 < sum(a >= 60 for a in ages) / len(ages) < 0.28


def test_small_demo_still_fills_the_coming_months():
    out = io.StringIO()
    org_demo.seed(rng=random.Random(4), residents=80, stdout=out)
    demo.seed(rng=random.Random(4), residents=80, stdout=out)
    assert Person.objects.count() == 80
    for month in (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)):
        assert _reaching_60(month).values("town").distinct().count() >= 5, month
    assert sum(_reaching_60(date(y, m, 1)).count() for y, m in [(2026, 3), (2026, 4), (2026, 5), (2026, 2),
                                                                (2026, 1), (2025, 12)]) <= 80 // 5  # fmt: skip
