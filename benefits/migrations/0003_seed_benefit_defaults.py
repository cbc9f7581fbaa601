"""The binding defaults of domain.md for benefits: the scheme parameters, the basic pension standards
(central part by effective month, Hainan provincial part from 2025-01), the long-contribution extra
and the funeral subsidy (both 0: the mechanism is there, the amount is not yet known). The age extra
table starts empty. Rerun-safe: existing rows (possibly edited in the admin) are left alone."""

from datetime import date
from decimal import Decimal

from django.db import migrations

# (effective month, central part, Hainan provincial part) — domain.md §4.2, §4.3, binding defaults.
STANDARDS = [
    (date(2009, 10, 1), "55", "0", "国发〔2009〕32号 新农保试点"),
    (date(2014, 7, 1), "70", "0", "中央基础养老金最低标准提高"),
    (date(2018, 1, 1), "88", "0", "人社部发〔2018〕21号"),
    (date(2020, 1, 1), "93", "0", "中央基础养老金最低标准提高（待核实日期）"),
    (date(2022, 1, 1), "98", "0", "中央基础养老金最低标准提高（待核实）"),
    (date(2023, 1, 1), "103", "0", "中央基础养老金最低标准"),
    (date(2024, 1, 1), "123", "0", "中央基础养老金最低标准提高20元"),
    (date(2025, 1, 1), "143", "128", "中央143元；海南省级128元（合计271元，待核实）"),
    (date(2026, 1, 1), "163", "128", "中央163元（2026年政府工作报告，待核实）；海南省级128元"),
]


def seed(apps, schema_editor):
    SchemeParameters = apps.get_model("benefits", "SchemeParameters")
    BasicPensionStandard = apps.get_model("benefits", "BasicPensionStandard")
    LongContributionExtra = apps.get_model("benefits", "LongContributionExtra")
    FuneralSubsidy = apps.get_model("benefits", "FuneralSubsidy")

    SchemeParameters.objects.get_or_create(
        id=1,
        defaults={
            "benefit_age": 60,
            "minimum_years": 15,
            "scheme_start_date": date(2011, 7, 1),
            "account_divisor": 139,
            "certification_cycle_months": 12,
            "payroll_day": 20,
            "note": "domain.md 约束性默认值；制度实施日期待核实",
        },
    )
    for effective_from, central, provincial, note in STANDARDS:
        BasicPensionStandard.objects.get_or_create(
            effective_from=effective_from,
            defaults={
                "central_part": Decimal(central),
                "provincial_part": Decimal(provincial),
                "county_part": Decimal("0"),
                "note": note,
            },
        )
    LongContributionExtra.objects.get_or_create(
        effective_from=date(2009, 10, 1),
        defaults={"amount_per_year": Decimal("0"), "note": "海南标准未见，暂为0"},
    )
    FuneralSubsidy.objects.get_or_create(
        effective_from=date(2009, 10, 1), defaults={"amount": Decimal("0"), "note": "临高标准未见，暂为0"}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0002_claims_pensions_payroll"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
