"""The registry's kept dashboard figures (linggao_pension.org.figures), declared in apps.py."""

from django.db.models import Count

from .models import Person


def person_status_by_town() -> dict:
    """{town_id: {status: people}}: one grouped count of the whole registry."""
    out: dict = {}
    for town_id, status, n in Person.objects.order_by().values_list("town_id", "status").annotate(n=Count("pk")):
        out.setdefault(str(town_id), {})[status] = n
    return out
