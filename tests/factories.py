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
