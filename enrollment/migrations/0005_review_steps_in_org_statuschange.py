"""The review steps of applications and change requests move into the one status-change table
(org.StatusChange, linggao_pension.workflow): every existing row is copied, then the two
per-model tables are dropped."""

from django.db import migrations

SUBMITTED = "town_approved"


def copy_steps(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StatusChange = apps.get_model("org", "StatusChange")
    for model_name, step_model, fk in (
        ("enrollmentapplication", "ApplicationStatusChange", "application_id"),
        ("changerequest", "ChangeRequestStatusChange", "change_request_id"),
    ):
        Step = apps.get_model("enrollment", step_model)
        if not Step.objects.exists():
            continue
        ct, _ = ContentType.objects.get_or_create(app_label="enrollment", model=model_name)
        rows = [
            StatusChange(
                content_type_id=ct.pk, object_id=getattr(step, fk),
                action="create" if not step.from_status else "move",
                from_status=step.from_status, to_status=step.to_status, by_id=step.by_id, at=step.at,
                opinion=step.opinion, maker=not step.from_status or step.to_status == SUBMITTED,
            )
            for step in Step.objects.order_by("pk").iterator()
        ]
        StatusChange.objects.bulk_create(rows, batch_size=2000)


def copy_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StatusChange = apps.get_model("org", "StatusChange")
    for model_name, step_model, fk in (
        ("enrollmentapplication", "ApplicationStatusChange", "application_id"),
        ("changerequest", "ChangeRequestStatusChange", "change_request_id"),
    ):
        Step = apps.get_model("enrollment", step_model)
        ct = ContentType.objects.filter(app_label="enrollment", model=model_name).first()
        if ct is None:
            continue
        Step.objects.bulk_create(
            [
                Step(**{fk: s.object_id}, from_status=s.from_status, to_status=s.to_status, by_id=s.by_id, at=s.at,
                     opinion=s.opinion)
                for s in StatusChange.objects.filter(content_type_id=ct.pk).exclude(action="edit").order_by("pk")
            ],
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("enrollment", "0004_enrollment_parameters"),
        ("org", "0004_statuschange"),
    ]

    operations = [
        migrations.RunPython(copy_steps, copy_back),
        migrations.DeleteModel(name="ApplicationStatusChange"),
        migrations.DeleteModel(name="ChangeRequestStatusChange"),
    ]
