"""Record, for pensions determined before InterestSettlement existed, the settlement of the start
year's interest that the determination made (R6): the interim interest entry it booked, or 0.00 when
it booked none (a January start, an empty account). Without it the year-end posting would credit a
full year's interest to such a pensioner. Not for a start year whose year-end interest is already
posted (the year-end posting is done, or credited the person's 31 December entry): that year is
settled already."""

from datetime import date

from django.db import migrations


def backfill(apps, schema_editor):
    Pension = apps.get_model("benefits", "Pension")
    AccountEntry = apps.get_model("contributions", "AccountEntry")
    InterestPosting = apps.get_model("contributions", "InterestPosting")
    InterestSettlement = apps.get_model("contributions", "InterestSettlement")
    done_years = set(InterestPosting.objects.filter(status="done").values_list("year", flat=True))
    settled = set(InterestSettlement.objects.values_list("person_id", "year"))
    pensions = Pension.objects.filter(source="determined", decided_by__isnull=False).values_list(
        "person_id", "start_month", "decided_by_id"
    )
    rows = []
    for person_id, start, by_id in pensions.iterator():
        year = start.year
        if year in done_years or (person_id, year) in settled:
            continue
        entries = list(
            AccountEntry.objects.filter(person_id=person_id, kind="interest", source="interest", year=year)
            .values_list("pk", "amount", "entry_date")
        )
        if any(on == date(year, 12, 31) for _, _, on in entries):
            continue
        entry = next(((pk, amount) for pk, amount, on in entries if on == start), None)
        rows.append(InterestSettlement(
            person_id=person_id, year=year, settled_on=start, amount=entry[1] if entry else 0,
            entry_id=entry[0] if entry else None, reason="待遇开始", created_by_id=by_id,
        ))
    InterestSettlement.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0005_payrollrun_return_template"),
        ("contributions", "0008_interest_settlement"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
