"""The account reads other apps rely on: balances, counted years, the snapshot at a month start."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contributions import selectors, services
from contributions.models import AccountEntry, Source
from tests.factories import AccountEntryFactory

pytestmark = pytest.mark.django_db
D = Decimal


def entry(person, source, amount, on, year=None, kind="credit"):
    return AccountEntryFactory(
        person=person, source=source, amount=D(amount), entry_date=on, year=year if year is not None else on.year, kind=kind
    )


def test_account_at_adds_interim_interest_with_last_years_rate_when_this_years_is_missing(person):
    entry(person, Source.PERSONAL, "1000.00", date(2024, 3, 1))
    entry(person, Source.INTEREST, "15.00", date(2025, 12, 31), kind="interest")
    entry(person, Source.PERSONAL, "500.00", date(2026, 2, 1))
    entry(person, Source.PERSONAL, "300.00", date(2026, 6, 1))  # on the 1st: not before the start month
    snap = selectors.account_at(person=person, on=date(2026, 6, 20))
    assert snap.on == date(2026, 6, 1)
    assert snap.by_source == {Source.PERSONAL: D("1500.00"), Source.INTEREST: D("15.00")}
    assert snap.opening_balance == D("1015.00")
    assert snap.rate == D("0.0150")  # 2026 has no rate yet: 2025's
    # 1015.00 × 1.50% × (6 − 1) / 12 = 6.34375 -> 6.34
    assert snap.interim_interest == D("6.34")
    assert snap.total == D("1521.34")
    assert snap.by_source_with_interim[Source.INTEREST] == D("21.34")


def test_account_at_uses_this_years_rate_when_set(person):
    entry(person, Source.PERSONAL, "2000.00", date(2021, 5, 1))
    snap = selectors.account_at(person=person, on=date(2022, 4, 1))
    # 2022 rate 6.12%: 2000 × 0.0612 × 3 / 12 = 30.60
    assert snap.rate == D("0.0612") and snap.interim_interest == D("30.60") and snap.total == D("2030.60")


def test_counted_years_personal_plus_daijiao_reversal_and_cutoff(person, clerk):
    entry(person, Source.PERSONAL, "100.00", date(2019, 4, 1))  # 2019 counts
    entry(person, Source.DAIJIAO, "100.00", date(2020, 12, 31))  # 2020: only 代缴, reaches 100
    entry(person, Source.DAIJIAO, "50.00", date(2021, 12, 31))  # 2021: half 代缴 ...
    entry(person, Source.PROVINCE, "30.00", date(2021, 5, 1))  # ... subsidies never count
    wrong = entry(person, Source.PERSONAL, "200.00", date(2022, 5, 1))  # 2022, then reversed
    entry(person, Source.PERSONAL, "100.00", date(2024, 2, 1), year=2023)  # 2023 paid late, in 2024
    assert selectors.counted_years(person=person, before=date(2030, 1, 1)) == [2019, 2020, 2022, 2023]
    services.account_entry_reverse(entry=wrong, reason="错记", by=clerk)
    assert selectors.counted_years(person=person, before=date(2030, 1, 1)) == [2019, 2020, 2023]
    # Judged only from entries dated before the cut-off: the reversal is dated today, so on
    # 1 Jan 2024 the 2022 year still counted, and the 2023 back-payment (dated 2024) not yet.
    assert selectors.counted_years(person=person, before=date(2024, 1, 1)) == [2019, 2020, 2022]
    reversal = AccountEntry.objects.get(reverses=wrong)
    assert (reversal.source, reversal.year, reversal.amount) == (Source.PERSONAL, 2022, D("-200.00"))


def test_counted_years_by_person_is_one_query(person, django_assert_num_queries):
    entry(person, Source.PERSONAL, "100.00", date(2019, 4, 1))
    with django_assert_num_queries(4):  # lowest grades, later relationships, the grouped sums, years carried in
        assert selectors.counted_years_by_person(person_ids=[person.pk], before=date(2030, 1, 1)) == {person.pk: [2019]}


def test_reversal_refuses_twice_and_needs_a_reason(person, clerk):
    from django.core.exceptions import ValidationError

    credit = entry(person, Source.PERSONAL, "100.00", date(2019, 4, 1))
    with pytest.raises(ValidationError) as exc:
        services.account_entry_reverse(entry=credit, reason=" ", by=clerk)
    assert exc.value.message_dict == {"reason": ["冲正必须填写原因"]}
    services.account_entry_reverse(entry=credit, reason="错记", by=clerk)
    with pytest.raises(ValidationError) as exc:
        services.account_entry_reverse(entry=credit, reason="再次", by=clerk)
    assert exc.value.messages == ["该分录已冲正，不能重复冲正"]
    assert selectors.balance(person=person) == D("0.00")


def test_clerk_correction_only_for_credits(person, clerk, agent):
    from django.core.exceptions import PermissionDenied, ValidationError

    interest = entry(person, Source.INTEREST, "10.00", date(2020, 12, 31), kind="interest")
    with pytest.raises(ValidationError) as exc:
        services.account_entry_correct(entry=interest, reason="错", by=clerk)
    assert exc.value.messages == ["只能冲正入账类分录，“利息”分录由对应业务处理"]
    credit = entry(person, Source.PERSONAL, "100.00", date(2019, 4, 1))
    with pytest.raises(PermissionDenied):
        services.account_entry_correct(entry=credit, reason="错", by=agent)
    reversal = services.account_entry_correct(entry=credit, reason="重复入账", by=clerk)
    assert reversal.created_by == clerk and reversal.memo == "冲正：重复入账"


def test_account_statement_command_prints_the_figures(person, capsys):
    entry(person, Source.PERSONAL, "500.00", date(2024, 3, 1))
    entry(person, Source.PROVINCE, "60.00", date(2024, 3, 1))
    entry(person, Source.DAIJIAO, "100.00", date(2025, 12, 31))
    entry(person, Source.INTEREST, "8.40", date(2025, 12, 31), kind="interest")
    call_command("account_statement", "--id-number", person.id_number, "--json")
    assert json.loads(capsys.readouterr().out) == {
        "balance": "668.40",
        "by_source": {"个人缴费": "500.00", "省级财政补贴": "60.00", "政府代缴": "100.00", "利息": "8.40"},
        "contribution_years": 2,
    }
    with pytest.raises(CommandError, match="未找到身份证号"):
        call_command("account_statement", "--id-number", "469024190001010000", "--json")


def test_yearly_statement_opening_movement_closing(person):
    entry(person, Source.PERSONAL, "500.00", date(2024, 3, 1))
    entry(person, Source.PERSONAL, "300.00", date(2025, 3, 1))
    entry(person, Source.INTEREST, "7.50", date(2025, 12, 31), kind="interest")
    st = selectors.yearly_statement(person=person, year=2025)
    assert [(r["label"], r["opening"], r["movement"], r["closing"]) for r in st["rows"]] == [
        ("个人缴费", D("500.00"), D("300.00"), D("800.00")),
        ("利息", D("0"), D("7.50"), D("7.50")),
    ]
    assert st["opening_total"] == D("500.00") and st["closing_total"] == D("807.50")
    assert st["contribution_years"] == [2024, 2025]
