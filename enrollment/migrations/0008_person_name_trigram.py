"""The registry's name filter is `icontains` (LIKE '%王%'): on PostgreSQL a trigram GIN index
(pg_trgm) on UPPER(name), the expression Django's icontains compares, serves it (two or more
characters; a one-character search still scans); SQLite has neither, so the index is made only on PostgreSQL (and is not in the
model's Meta, so SQLite's schema and makemigrations stay as they are)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS enrollment_person_name_trgm"
        " ON enrollment_person USING gin ((UPPER(name::text)) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS enrollment_person_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0007_first_relationships")]

    operations = [migrations.RunPython(forwards, backwards)]
