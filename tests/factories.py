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
import random  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from enrollment.models import Person  # noqa: E402
from enrollment.rules import id_check_char  # noqa: E402


def make_id_number(birth: date, sex: str = "1", serial: int | None = None, area: str = "469024") -> str:
    """A valid 18-character ID number (GB 11643) for a birth date and sex ('1' male, '2' female)."""
    serial = random.randint(0, 49) if serial is None else serial
    seq = f"{serial % 100:02d}" + str(random.randrange(1, 10, 2) if sex == "1" else random.randrange(0, 10, 2))
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
