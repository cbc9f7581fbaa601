from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from contributions.models import AccountEntry
from tests.factories import PersonFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10):
    return time_machine.travel(datetime(year, month, day, hour, 0, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def june_2026():
    with at(2026, 6, 15):
        yield


@pytest.fixture
def person(db, town):
    return PersonFactory(town=town, age=40)


def ledger(person):
    """The person's entries as (source, amount as str, entry_date iso, year), in order."""
    return [
        (e.source, str(e.amount), e.entry_date.isoformat(), e.year)
        for e in AccountEntry.objects.filter(person=person).order_by("entry_date", "pk")
    ]


def nth_person(i: int, **kwargs):
    """The i-th of many persons in one test: a distinct birth date keeps the random ID numbers of
    PersonFactory from colliding."""
    return PersonFactory(birth_date=date(1980, 1, 1) + timedelta(days=i), **kwargs)
