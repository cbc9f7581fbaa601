"""`seed_demo` fills every app, and each demo login sees its own role's navigation."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from enrollment.models import Person
from linggao_pension.org.demo import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db

# What each demo role must find in its menu, and what it must not.
EXPECTED_NAV = {
    # town agents see their own town's inspections (issue 13: notices, opinions, data, rectification)
    "镇/农场经办员": (["参保登记", "保费征缴", "待遇", "监督检查"], ["统计报表", "个人信息查看日志"]),
    "县局经办员": (["参保登记", "保费征缴", "待遇", "监督检查"], []),
    "财务": (["保费征缴", "待遇"], []),
    "稽核员": (["监督检查", "个人信息查看日志"], []),
    "局领导": (["统计报表", "批处理任务"], []),
    "系统管理员": (["参保登记", "批处理任务"], []),
}


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("seed_demo", residents=80, seed=7, stdout=out)
    return out.getvalue()


def _nav(html: str) -> str:
    return html.split('<nav class="sidenav"', 1)[1].split("</nav>", 1)[0]


def test_seed_demo_prints_logins_fills_the_registry_and_can_run_again(demo):
    assert DEMO_PASSWORD in demo
    for username, *_ in DEMO_USERS:
        assert username in demo
    assert Person.objects.count() >= 80
    before = Person.objects.count()
    call_command("seed_demo", residents=80, seed=7, stdout=io.StringIO())
    assert Person.objects.count() == before


def test_each_demo_login_sees_its_roles_navigation(demo):
    # One demo data set for all ten logins (seeding is the slow part), a fresh browser each.
    from django.test import Client

    for username, full_name, role, town_name in DEMO_USERS:
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert full_name in html
        if town_name:
            assert town_name in html
        nav = _nav(html)
        sees, hidden = EXPECTED_NAV[role]
        for label in sees:
            assert f">{label}<" in nav, f"{username} should see {label}"
        for label in hidden:
            assert f">{label}<" not in nav, f"{username} should not see {label}"
        # Every menu link opens for this user: the menu never offers a page that answers 403.
        for href in sorted({part.split('"', 1)[0] for part in nav.split('href="')[1:]}):
            assert client.get(href).status_code == 200, f"{username}: {href}"
