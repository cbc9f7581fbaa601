"""The benefits dashboard's kept figures (linggao_pension.org.figures), declared in apps.py."""

from django.db.models import Count
from django.utils import timezone

from enrollment.models import Person
from linggao_pension import periods

from .models import Pension


def pensioners_by_town() -> dict:
    """{town_id: {"pensioners": n}}: pensions in payment to people receiving (one grouped count)."""
    rows = (
        Pension.objects.active().filter(person__status=Person.Status.RECEIVING).order_by()
        .values_list("person__town_id").annotate(n=Count("pk"))
    )  # fmt: skip
    return {str(town_id): {"pensioners": n} for town_id, n in rows}


def due_this_month_by_town() -> dict:
    """{town_id: {"total", "eligible", "backpay", "short"}}: this month's 到龄名单 (selectors.due_rows,
    the same rows the list page shows) counted per town."""
    from . import selectors

    month = periods.month_start(timezone.localdate())
    tables = selectors.pension_tables()
    persons = (
        Person.objects.filter(status__in=selectors.CLAIMABLE_STATUSES)
        .filter(selectors.due_month_q(month, tables.params.benefit_age))
        .only("pk", "birth_date", "name", "bank_account", "status", "town_id")
    )
    out: dict = {}
    for row in selectors.due_rows(persons, month=month, tables=tables):
        counts = out.setdefault(str(row.person.town_id), {"total": 0, "eligible": 0, "backpay": 0, "short": 0,
                                                           "month": f"{month:%Y-%m}", "ids": {}})
        counts["total"] += 1
        if row.result in counts:
            counts[row.result] += 1
        counts["ids"].setdefault(row.result, []).append(row.person.pk)
    return out

