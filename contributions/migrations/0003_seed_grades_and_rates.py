"""Binding defaults of domain.md: the 12 grades for 2011-2026 and the interest rates 2011-2025."""

from decimal import Decimal

from django.db import migrations

GRADES = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 2000]
RATES = {
    2011: "0.0350", 2012: "0.0300", 2013: "0.0300", 2014: "0.0275", 2015: "0.0150", 2016: "0.0831",
    2017: "0.0712", 2018: "0.0829", 2019: "0.0761", 2020: "0.0604", 2021: "0.0669", 2022: "0.0612",
    2023: "0.0397", 2024: "0.0262", 2025: "0.0150",
}


def seed(apps, schema_editor):
    ContributionGrade = apps.get_model("contributions", "ContributionGrade")
    InterestRate = apps.get_model("contributions", "InterestRate")
    for year in range(2011, 2027):
        for amount in GRADES:
            ContributionGrade.objects.get_or_create(year=year, amount=Decimal(amount))
    for year, rate in RATES.items():
        InterestRate.objects.get_or_create(year=year, defaults={"rate": Decimal(rate), "note": "domain.md 默认值"})


class Migration(migrations.Migration):
    dependencies = [("contributions", "0002_grades_and_interest_rates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
