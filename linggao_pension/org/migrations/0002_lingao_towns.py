"""The 10 towns and 2 state farms of Lingao County (domain §11). Codes: county 469024 + unit."""

from django.db import migrations

TOWNS = [
    ("469024100", "临城镇", "town"),
    ("469024101", "波莲镇", "town"),
    ("469024102", "东英镇", "town"),
    ("469024103", "博厚镇", "town"),
    ("469024104", "皇桐镇", "town"),
    ("469024105", "多文镇", "town"),
    ("469024106", "和舍镇", "town"),
    ("469024107", "南宝镇", "town"),
    ("469024108", "新盈镇", "town"),
    ("469024109", "调楼镇", "town"),
    ("469024400", "国营红华农场", "farm"),
    ("469024401", "国营加来农场", "farm"),
]


def add_towns(apps, schema_editor):
    Town = apps.get_model("org", "Town")
    for order, (code, name, kind) in enumerate(TOWNS, start=1):
        Town.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(add_towns, migrations.RunPython.noop)]
