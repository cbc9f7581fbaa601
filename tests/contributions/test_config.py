"""The binding defaults are seeded as data (migration 0005) and editable with history."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contributions import selectors
from contributions.models import CollectionPolicy, ContributionGrade, DaijiaoAmount, GradeSubsidy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [2011, 2020, 2026])
def test_entry_subsidy_is_30_below_500_and_60_from_500_all_provincial(year):
    subsidies = {s.grade.amount: s for s in GradeSubsidy.objects.filter(grade__year=year).select_related("grade")}
    assert len(subsidies) == 12
    for amount, s in subsidies.items():
        assert s.province_amount == (Decimal("30.00") if amount < 500 else Decimal("60.00"))
        assert s.county_amount == Decimal("0.00")


def test_daijiao_defaults_full_and_half_lowest_grade():
    for year in (2011, 2026):
        assert selectors.daijiao_amounts(year) == {
            "021": Decimal("100.00"), "031": Decimal("100.00"), "051": Decimal("100.00"), "061": Decimal("100.00"),
            "022": Decimal("50.00"), "062": Decimal("50.00"),
        }
    assert selectors.daijiao_amounts(2027) == {}


def test_backpay_earns_no_subsidy_by_default():
    tables = selectors.collection_tables()
    assert tables.backpay_earns_subsidy(2015) is False
    CollectionPolicy.objects.create(from_year=2025, backpay_earns_subsidy=True)
    tables = selectors.collection_tables()
    assert tables.backpay_earns_subsidy(2024) is False
    assert tables.backpay_earns_subsidy(2026) is True


def test_collective_cap_is_derived_from_the_highest_grade():
    assert selectors.collective_cap(2026) == Decimal("2000.00")
    ContributionGrade.objects.create(year=2026, amount=Decimal("3000.00"))
    assert selectors.collective_cap(2026) == Decimal("3000.00")
    assert selectors.collection_tables().collective_cap(2026) == Decimal("3000.00")


def test_daijiao_amount_cannot_exceed_the_lowest_grade():
    row = DaijiaoAmount(year=2026, identity_id="023", amount=Decimal("120.00"))
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert "代缴金额不能超过当年最低档次" in str(exc.value)


def test_config_changes_keep_history(admin_user):
    subsidy = GradeSubsidy.objects.get(grade__year=2026, grade__amount=Decimal("200.00"))
    before = subsidy.history.count()
    subsidy.province_amount = Decimal("40.00")
    subsidy._history_user = admin_user
    subsidy.save()
    assert subsidy.history.count() == before + 1
    latest = subsidy.history.first()
    assert latest.history_user == admin_user and latest.province_amount == Decimal("40.00")
