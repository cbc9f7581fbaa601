"""Helpers for the enrollment tests: application data, and applications at each review step."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from enrollment import services
from enrollment.models import IdentityCode
from linggao_pension.org.models import Village
from linggao_pension.workflow import RS, review_move
from tests.factories import make_id_number

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen_time():
    """Dates matter here (ages, application dates, ID birth dates): every test runs on 2026-03-10."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def village(town):
    return Village.objects.create(town=town, code="469024100001", name="美鳌村")


@pytest.fixture
def other_village(other_town):
    return Village.objects.create(town=other_town, code="469024101001", name="波浪村")


def application_data(town, **overrides) -> dict:
    data = {
        "id_number": make_id_number(date(1980, 5, 17), "1"),
        "name": "符海生",
        "ethnicity": "01",
        "hukou_type": "20",
        "hukou_address": "海南省临高县临城镇美鳌村12号",
        "residential_address": "",
        "phone": "13800138000",
        "town": town,
        "village": None,
        "identity": IdentityCode.objects.get(code="011"),
        "land_expropriated": False,
        "old_rural_pension": False,
        "dismissed_teacher": False,
        "bank_name": "海南农信",
        "bank_account": "6217000012345678",
        "is_student": False,
        "in_employee_scheme": False,
        "is_public_servant": False,
        "receives_state_pension": False,
        "applied_on": TODAY,
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(agent, town):
    return services.application_create(data=application_data(town), by=agent)


@pytest.fixture
def submitted(draft, agent):
    return review_move(to=RS.TOWN_APPROVED, record=draft, opinion="材料齐全", by=agent)


@pytest.fixture
def approved(submitted, clerk):
    return review_move(to=RS.COUNTY_APPROVED, record=submitted, opinion="同意", by=clerk)
