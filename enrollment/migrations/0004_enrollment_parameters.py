"""Binding default (domain.md): minimum enrolment age 16 full years (R2). Editable in the admin."""

import datetime

from django.db import migrations


def add_defaults(apps, schema_editor):
    EnrollmentParameter = apps.get_model("enrollment", "EnrollmentParameter")
    # From before the 2009 新农保 pilot, so legacy enrolments found at go-live are covered too.
    EnrollmentParameter.objects.get_or_create(
        effective_from=datetime.date(2009, 1, 1),
        defaults={"min_enrolment_age": 16, "note": "国发〔2014〕8号：年满16周岁"},
    )


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0003_applications_and_change_requests")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
