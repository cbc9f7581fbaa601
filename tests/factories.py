"""factory_boy factories. Each app adds its own below the org section."""

import factory

from linggao_pension.org.models import Town, User, Village


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("test-pass-123")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    town = factory.LazyFunction(lambda: Town.objects.get(name="临城镇"))
    code = factory.Sequence(lambda n: f"V{n:08d}")
    name = factory.Sequence(lambda n: f"测试{n}村")


# --- enrollment -------------------------------------------------------------------------------
import itertools  # noqa: E402
import random  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from enrollment.models import Person  # noqa: E402
from enrollment.rules import id_check_char  # noqa: E402

_id_serials = itertools.count()


def make_id_number(birth: date, sex: str = "1", serial: int | None = None, area: str = "469024") -> str:
    """A valid 18-character ID number (GB 11643) for a birth date and sex ('1' male, '2' female).

    The 3-digit sequence comes from a counter, so numbers made in one test run never repeat for
    the same birth date (up to 500 people per birth date and sex).
    """
    serial = next(_id_serials) if serial is None else serial
    parity_digit = 2 * (serial % 5) + (1 if sex == "1" else 0)
    seq = f"{(serial // 5) % 100:02d}{parity_digit}"
    first17 = f"{area}{birth:%Y%m%d}{seq}"
    return first17 + id_check_char(first17)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        age = 40

    birth_date = factory.LazyAttribute(lambda o: date(2026 - o.age, 3, 15) + timedelta(days=random.randint(0, 200)))
    sex = "1"
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.birth_date, o.sex))
    insured_no = factory.Sequence(lambda n: f"4690240{n:08d}")
    name = factory.Faker("name", locale="zh_CN")
    town = factory.LazyFunction(lambda: Town.objects.get(name="临城镇"))
    village = None
    identity_id = "011"
    enrolled_on = date(2014, 1, 1)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    bank_name = "海南农信"
    bank_account = factory.Sequence(lambda n: f"6217{n:012d}")


# --- contributions ----------------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from contributions.models import AccountEntry, Receipt  # noqa: E402


class ReceiptFactory(factory.django.DjangoModelFactory):
    """A town collection (collected, not yet confirmed); pass status/confirmed_* for other states."""

    class Meta:
        model = Receipt

    person = factory.SubFactory(PersonFactory)
    town = factory.LazyAttribute(lambda o: o.person.town)
    receipt_no = factory.Sequence(lambda n: f"T{n:010d}")
    year = 2026
    grade = Decimal("200.00")
    personal_amount = factory.LazyAttribute(lambda o: o.grade)
    paid_on = date(2026, 3, 10)
    method = Receipt.Method.AGENCY
    status = Receipt.Status.COLLECTED


class AccountEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountEntry

    person = factory.SubFactory(PersonFactory)
    source = "personal"
    kind = "credit"
    amount = Decimal("100.00")
    entry_date = date(2020, 5, 1)
    year = 2020

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved as the ledger services post: with the entry added to the ledger's month totals."""
        from contributions.services import ledger_totals_add

        entry = super()._create(model_class, *args, **kwargs)
        ledger_totals_add([entry.pk])
        return entry


# --- benefits ---------------------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from benefits.models import Pension  # noqa: E402


class PensionFactory(factory.django.DjangoModelFactory):
    """A pension in payment (the person RECEIVING). Override the amounts a test computes by hand."""

    class Meta:
        model = Pension

    person = factory.SubFactory(PersonFactory, age=66, status=Person.Status.RECEIVING)
    source = Pension.Source.DETERMINED
    start_month = date(2026, 1, 1)
    first_payroll_month = factory.LazyAttribute(lambda o: o.start_month)
    contribution_years = 15
    required_years = 15
    balance_on = factory.LazyAttribute(lambda o: o.start_month)
    balance_by_source = factory.LazyFunction(lambda: {"personal": "1000.00", "province": "390.00"})
    account_balance = Decimal("1390.00")
    account_pension = Decimal("10.00")
    basic_central = Decimal("163.00")
    basic_provincial = Decimal("128.00")
    basic_pension = Decimal("291.00")
    last_certified_on = date(2026, 1, 5)
