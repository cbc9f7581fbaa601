"""Every existing person gets their first insurance relationship: open, or ended as the person's status says."""

from django.db import migrations


def first_relationships(apps, schema_editor):
    Person = apps.get_model("enrollment", "Person")
    Relationship = apps.get_model("enrollment", "InsuranceRelationship")
    batch = []
    rows = Person.objects.values_list("pk", "enrolled_on", "status", "status_reason", "status_changed_on")
    for pk, enrolled_on, status, reason, changed_on in rows.iterator(chunk_size=5000):
        ended = status == "terminated"
        batch.append(Relationship(
            person_id=pk, number=1, started_on=enrolled_on, start_kind="legacy",
            ended_on=(changed_on or enrolled_on) if ended else None,
            end_kind=("death" if reason in ("6401", "1401") else "other") if ended else "",
            end_reason=reason if ended else "",
        ))  # fmt: skip
        if len(batch) >= 5000:
            Relationship.objects.bulk_create(batch)
            batch = []
    Relationship.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0006_insurance_relationships")]
    operations = [migrations.RunPython(first_relationships, migrations.RunPython.noop)]
