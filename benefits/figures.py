"""The benefits dashboard's kept figures (linggao_pension.org.figures), declared in apps.py."""

from django.db.models import Count

from enrollment.models import Person

from .models import Pension


def pensioners_by_town() -> dict:
    """{town_id: {"pensioners": n}}: pensions in payment to people receiving (one grouped count)."""
    rows = (
        Pension.objects.active().filter(person__status=Person.Status.RECEIVING).order_by()
        .values_list("person__town_id").annotate(n=Count("pk"))
    )  # fmt: skip
    return {str(town_id): {"pensioners": n} for town_id, n in rows}
