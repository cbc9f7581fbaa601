"""Dashboard figures kept by a job (issue 10: "aggregates kept by the jobs that change them ...
summary tables for dashboards refreshed by the jobs rather than computed per view").

Counting the whole registry (250,000 people) on every dashboard view costs 60-70 ms of the database
per view and grows with the county. So each app declares its figure sets in its apps.py:

    kept_figures = {"enrollment.person_status": "enrollment.figures.person_status_by_town"}

where the function returns {town_id (as str): {name: number}} from one grouped query. The beat job
`org-refresh-figures` (every KEPT_FIGURES_SECONDS, 300 by default) recomputes every set into
org.KeptFigures; a page reads its set with `kept(key)`, which recomputes it first only when it is
missing or older than KEPT_FIGURES_MAX_AGE (so a county without beat still shows figures at most
that old). `for_user(kept, user)` sums a set over the towns a user may see. Pages show the
statistic time (`computed_at`) beside the figures.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from linggao_pension import registry

from .models import KeptFigures


@dataclass(frozen=True)
class Kept:
    data: dict  # {town_id (str): {name: number}}
    computed_at: datetime


def figures_refresh(key: str | None = None) -> list[str]:
    """Recompute one declared figure set, or all of them; returns the keys refreshed."""
    declared = registry.kept_figures()
    keys = [key] if key else sorted(declared)
    for k in keys:
        data = import_string(declared[k])()
        KeptFigures.objects.update_or_create(
            key=k, defaults={"data": {str(t): dict(v) for t, v in data.items()}, "computed_at": timezone.now()}
        )
    return keys


def kept(key: str) -> Kept:
    """The figure set `key`, recomputed first when missing or older than KEPT_FIGURES_MAX_AGE seconds
    (0: not kept at all, counted on each view)."""
    declared = registry.kept_figures()
    if key not in declared:
        raise KeyError(f"no app declares kept figures {key!r}")
    if settings.KEPT_FIGURES_MAX_AGE <= 0:  # not kept: counted on each view (the tests' default)
        data = import_string(declared[key])()
        return Kept(data={str(t): dict(v) for t, v in data.items()}, computed_at=timezone.now())
    row = KeptFigures.objects.filter(pk=key).first()
    oldest = timezone.now() - timedelta(seconds=settings.KEPT_FIGURES_MAX_AGE)
    if row is None or row.computed_at < oldest:
        figures_refresh(key)
        row = KeptFigures.objects.get(pk=key)
    return Kept(data=row.data, computed_at=row.computed_at)


def for_user(figures: Kept, user) -> Counter:
    """The set's numbers summed over the towns `user` may see (all of them for county staff); what
    else a set keeps for a town (the 到龄名单's ids) its app reads itself."""
    from . import access
    from .models import Town

    total: Counter = Counter()
    for town_id in access.in_scope(Town.objects.all(), user, "pk").values_list("pk", flat=True):
        total.update({k: v for k, v in figures.data.get(str(town_id), {}).items() if isinstance(v, int)})
    return total
