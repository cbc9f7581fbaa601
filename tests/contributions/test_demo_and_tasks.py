import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from contributions import rules, selectors, tasks
from contributions.models import AccountEntry, InterestPosting, InterestRate, Receipt, Remittance, Source
from linggao_pension.money import quantize
from linggao_pension.org.models import JobRun
from tests.factories import AccountEntryFactory

from .conftest import at

pytestmark = pytest.mark.django_db


def test_demo_seed_is_consistent_and_idempotent():
    with at(2026, 11, 26):
        call_command("seed_demo", "--residents", "400", stdout=io.StringIO())
    assert Receipt.objects.filter(legacy=True).exists()
    assert Receipt.objects.filter(status=Receipt.Status.COLLECTED, year=2026).exists()
    assert list(InterestPosting.objects.order_by("year").values_list("year", flat=True)) == list(range(2014, 2026))
    assert Remittance.objects.filter(status="remitted").exists() and Remittance.objects.filter(status="generated").exists()
    assert not Receipt.objects.filter(legacy=True, remittance__isnull=False).exists()
    assert AccountEntry.objects.filter(source=Source.DAIJIAO).exists()
    # The seeded interest is what post_interest would have booked: round(balance at 31 Dec Y-1 × rate_Y, 2).
    rates = dict(InterestRate.objects.values_list("year", "rate"))
    checked = 0
    for entry in AccountEntry.objects.filter(source=Source.INTEREST, year__gte=2016).order_by("pk")[:200]:
        opening = selectors.balance(person=entry.person, before=date(entry.year, 1, 1))
        assert entry.amount == rules.annual_interest(opening, rates[entry.year])
        checked += 1
    assert checked == 200
    posting = InterestPosting.objects.get(year=2020)
    seeded = AccountEntry.objects.filter(source=Source.INTEREST, year=2020).aggregate(t=Sum("amount"))["t"]
    assert posting.total == quantize(seeded)
    before = Receipt.objects.count()
    with at(2026, 11, 26):
        out = io.StringIO()
        call_command("seed_demo", "--residents", "400", stdout=out)
    assert Receipt.objects.count() == before and "跳过保费征缴演示数据" in out.getvalue()


def test_beat_posts_last_years_interest_on_1_january(person):
    AccountEntryFactory(person=person, amount=Decimal("1000.00"), entry_date=date(2024, 6, 1))
    with at(2026, 1, 1, hour=1):
        assert tasks.post_interest_for_last_year() == JobRun.Status.SUCCEEDED
        # a second delivery is refused and recorded; nothing is credited twice
        assert tasks.post_interest_for_last_year() == JobRun.Status.FAILED
    assert AccountEntry.objects.filter(source=Source.INTEREST, year=2025).get().amount == Decimal("15.00")
    assert JobRun.objects.filter(kind="contributions.post_interest", status="failed").get().error == "2025 年度已结息，不能重复结息"
