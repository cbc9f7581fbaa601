"""参保身份 code table (aac066, domain §1.2), plus Lingao's local codes."""

from django.db import migrations

CODES = [
    ("011", "普通参保人员"),
    ("021", "残一级"), ("022", "残二级"), ("023", "残三级"),
    ("031", "特困一级"), ("032", "特困二级"), ("033", "特困三级"),
    ("051", "贫困人口一级"), ("052", "贫困人口二级"), ("053", "贫困人口三级"),
    ("061", "低保对象一级"), ("062", "低保对象二级"), ("063", "低保对象三级"),
    ("071", "计生特扶人员"),
    ("081", "返贫致贫人口/防止返贫监测对象"),
    ("082", "重度残疾人"),
    ("090", "其他"),
]


def add_codes(apps, schema_editor):
    IdentityCode = apps.get_model("enrollment", "IdentityCode")
    for code, name in CODES:
        IdentityCode.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0001_initial")]
    operations = [migrations.RunPython(add_codes, migrations.RunPython.noop)]
