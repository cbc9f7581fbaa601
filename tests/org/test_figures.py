"""Dashboard figures kept by a job (linggao_pension.org.figures): the dashboards read the stored
figures instead of counting the registry per view; beat refreshes them; a town sees its own."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linggao_pension.org import tasks
from linggao_pension.org.figures import kept
from linggao_pension.org.models import KeptFigures
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep(settings):
    settings.KEPT_FIGURES_MAX_AGE = 120


def test_the_dashboards_show_the_kept_figures_until_the_job_refreshes_them(client, clerk, manager, town, keep):
    PersonFactory.create_batch(3, town=town)
    client.force_login(clerk)
    url = reverse("enrollment:index")
    assert "参保人员（共 3 人）" in client.get(url).content.decode()  # computed once, then kept
    PersonFactory(town=town)
    html = client.get(url).content.decode()
    assert "参保人员（共 3 人）" in html and "统计于" in html  # no count of the registry per view
    assert tasks.figures_refresh() == ["benefits.due_this_month", "benefits.pensioners", "enrollment.person_status"]
    assert "参保人员（共 4 人）" in client.get(url).content.decode()
    client.force_login(manager)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert "参保、领取人数统计于" in html


def test_figures_older_than_the_max_age_are_recomputed_by_the_page(client, clerk, town, keep):
    PersonFactory.create_batch(2, town=town)
    kept("enrollment.person_status")
    PersonFactory(town=town)
    KeptFigures.objects.update(computed_at=timezone.now() - timedelta(seconds=121))  # beat stopped
    client.force_login(clerk)
    assert "参保人员（共 3 人）" in client.get(reverse("enrollment:index")).content.decode()
    assert KeptFigures.objects.get(pk="enrollment.person_status").computed_at > timezone.now() - timedelta(seconds=5)


def test_a_town_agent_sees_the_figures_of_their_own_town(client, agent, town, other_town, keep):
    PersonFactory.create_batch(2, town=town)
    PersonFactory.create_batch(5, town=other_town)
    client.force_login(agent)
    assert "参保人员（共 2 人）" in client.get(reverse("enrollment:index")).content.decode()


def test_an_undeclared_figure_set_is_refused():
    with pytest.raises(KeyError):
        kept("nobody.declares.this")


def test_the_benefits_dashboard_counts_this_months_due_list_per_town(client, clerk, agent, town, other_town):
    from datetime import date

    from tests.benefits.conftest import at

    PersonFactory(town=town, birth_date=date(1966, 4, 10))  # 60 in April 2026, no contributions
    PersonFactory(town=other_town, birth_date=date(1966, 4, 25))
    PersonFactory(town=town, birth_date=date(1966, 5, 1))  # 60 in May: not this month's
    with at(2026, 4, 20):
        client.force_login(clerk)
        html = client.get(reverse("benefits:index")).content.decode()
        listing = client.get(reverse("benefits:due_list"), {"month": "2026-04"}).content.decode()
        client.force_login(agent)
        own = client.get(reverse("benefits:index")).content.decode()
    assert "<b>2</b>到龄人员" in html and "2026年04月到龄名单（共 2 人）" in listing  # the same rows as the list
    assert "<b>1</b>到龄人员" in own
