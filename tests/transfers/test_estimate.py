"""settlement_estimate takes the non-death reasons with the same keys, saving nothing."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from contributions.models import AccountEntry
from tests.factories import PersonFactory

from ..contributions.conftest import at
from .test_settlement import funded

pytestmark = pytest.mark.django_db

KEYS = ["reason", "last_payable_month", "overpaid_months", "overpaid_basic", "overpaid_account", "balance",
        "by_source", "interim_interest", "funeral_subsidy", "payable", "to_recover"]


@pytest.mark.parametrize("reason, payable", [("transfer_out", "1370.20"), ("to_employee", "1370.20"), ("abroad", "1210.20")])
def test_estimate_of_an_exit(town, reason, payable):
    person = PersonFactory(town=town, age=40)
    funded(person)
    before = AccountEntry.objects.count()
    out = StringIO()
    with at(2026, 7, 20):
        call_command("settlement_estimate", "--id-number", person.id_number, "--reason", reason,
                     "--date", "2026-07-15", "--json", stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    assert list(data) == KEYS
    assert (data["reason"], data["payable"], data["interim_interest"], data["balance"]) == (reason, payable, "10.20", "1370.20")
    assert data["by_source"]["个人缴费"] == "1000.00"
    assert AccountEntry.objects.count() == before
