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
    assert tasks.figures_refresh() == ["benefits.pensioners", "enrollment.person_status"]
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
