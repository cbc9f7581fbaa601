"""Death reports and suspension/resumption requests move onto the shared review workflow
(linggao_pension.workflow.Reviewable): their steps move from benefits' own ReviewStep table into the
one status-change table (org.StatusChange), then ReviewStep is dropped.

Every ReviewStep row is copied with its who/when/from/to/opinion. The first row of a record (from
"": recorded and submitted at once) becomes its creation step, and it and every submission
(→ 镇初审通过) are maker steps, so maker-checker still counts whoever recorded or submitted it.
`created_at` takes the workflow's default (timezone.now) instead of auto_now_add: the values stay.

Reversible: going back copies the steps of these two record types into ReviewStep again (an edit
step, which ReviewStep cannot hold, is left out) and deletes them from org.StatusChange.
"""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SUBMITTED = "town_approved"
RECORD_TYPES = ("deathreport", "suspensionrequest")


def copy_steps(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StatusChange = apps.get_model("org", "StatusChange")
    ReviewStep = apps.get_model("benefits", "ReviewStep")
    for model_name in RECORD_TYPES:
        steps = ReviewStep.objects.filter(record_type=model_name).order_by("at", "pk")
        if not steps.exists():
            continue
        ct, _ = ContentType.objects.get_or_create(app_label="benefits", model=model_name)
        rows = [
            StatusChange(
                content_type_id=ct.pk, object_id=step.record_id,
                action="create" if not step.from_status else "move",
                from_status=step.from_status, to_status=step.to_status, by_id=step.by_id, at=step.at,
                opinion=step.opinion, maker=not step.from_status or step.to_status == SUBMITTED,
            )
            for step in steps.iterator()
        ]
        StatusChange.objects.bulk_create(rows, batch_size=2000)


def copy_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StatusChange = apps.get_model("org", "StatusChange")
    ReviewStep = apps.get_model("benefits", "ReviewStep")
    for model_name in RECORD_TYPES:
        ct = ContentType.objects.filter(app_label="benefits", model=model_name).first()
        if ct is None:
            continue
        changes = StatusChange.objects.filter(content_type_id=ct.pk)
        rows = [
            ReviewStep(record_type=model_name, record_id=c.object_id, from_status=c.from_status,
                       to_status=c.to_status, by_id=c.by_id, opinion=c.opinion[:200])
            for c in changes.exclude(action="edit").order_by("at", "pk")
        ]
        created = ReviewStep.objects.bulk_create(rows, batch_size=2000)
        # `at` is auto_now_add on ReviewStep: set it back from the copied rows.
        for step, change in zip(created, changes.exclude(action="edit").order_by("at", "pk"), strict=True):
            ReviewStep.objects.filter(pk=step.pk).update(at=change.at)
        changes.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0010_delegated_payee_review"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("org", "0005_village_import_permission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(copy_steps, copy_back),
        migrations.DeleteModel(name="ReviewStep"),
        migrations.AlterField(
            model_name="deathreport",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="录入时间"),
        ),
        migrations.AlterField(
            model_name="historicaldeathreport",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="录入时间"),
        ),
        migrations.AlterField(
            model_name="historicalsuspensionrequest",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="录入时间"),
        ),
        migrations.AlterField(
            model_name="suspensionrequest",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="录入时间"),
        ),
    ]
