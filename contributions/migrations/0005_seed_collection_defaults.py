"""Binding defaults of domain.md for collection: the entry subsidy of every grade 2011-2026 (below
500: 30 元, 500 and above: 60 元, all 省级财政补贴), 代缴 2011-2026 (021/031/051/061: 100 元,
022/062: 50 元) and the back-payment policy (补缴 earns no subsidy). Rerunnable: existing rows are kept."""

from decimal import Decimal

from django.db import migrations

NOTE = "domain.md 默认值"
DAIJIAO = {"021": "100", "031": "100", "051": "100", "061": "100", "022": "50", "062": "50"}


def seed(apps, schema_editor):
    ContributionGrade = apps.get_model("contributions", "ContributionGrade")
    GradeSubsidy = apps.get_model("contributions", "GradeSubsidy")
    DaijiaoAmount = apps.get_model("contributions", "DaijiaoAmount")
    CollectionPolicy = apps.get_model("contributions", "CollectionPolicy")
    IdentityCode = apps.get_model("enrollment", "IdentityCode")

    for grade in ContributionGrade.objects.filter(year__gte=2011, year__lte=2026):
        province = Decimal("30.00") if grade.amount < 500 else Decimal("60.00")
        GradeSubsidy.objects.get_or_create(
            grade=grade, defaults={"province_amount": province, "county_amount": Decimal("0.00"), "note": NOTE}
        )
    codes = set(IdentityCode.objects.filter(code__in=DAIJIAO).values_list("code", flat=True))
    for year in range(2011, 2027):
        for code, amount in DAIJIAO.items():
            if code in codes:
                DaijiaoAmount.objects.get_or_create(
                    year=year, identity_id=code, defaults={"amount": Decimal(amount), "note": NOTE}
                )
    CollectionPolicy.objects.get_or_create(from_year=2011, defaults={"backpay_earns_subsidy": False, "note": NOTE})


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0004_collection_remittance_interest"),
        ("enrollment", "0002_identity_codes"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
