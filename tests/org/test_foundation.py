from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from linggao_pension.org import roles, services
from linggao_pension.org.models import AccessLog, JobRun, Town, Village

pytestmark = pytest.mark.django_db


def test_twelve_units_of_lingao_are_seeded():
    names = list(Town.objects.values_list("name", flat=True))
    assert len(names) == 12
    assert names[0] == "临城镇"
    assert Town.objects.filter(kind=Town.Kind.FARM).count() == 2
    assert set(Town.objects.filter(kind="farm").values_list("name", flat=True)) == {"国营红华农场", "国营加来农场"}


def test_every_permission_named_in_roles_exists():
    for role, names in roles.role_permissions().items():
        for name in names:
            app_label, codename = name.split(".")
            assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), (
                f"{role}: {name} does not exist"
            )


def test_login_page_is_public_and_in_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "用户登录" in response.content.decode()


def test_pages_need_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_password_shows_chinese_error(client, agent):
    response = client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_login_with_correct_password_reaches_home(client, agent):
    response = client.post(reverse("login"), {"username": "agent", "password": "test-pass-123"}, follow=True)
    assert response.status_code == 200
    assert "临城镇" in response.content.decode()


@pytest.mark.parametrize(
    "persona, sees, hidden",
    [
        ("agent", ["参保登记", "保费征缴", "监督检查"], ["统计报表", "个人信息查看日志"]),  # issue 13: own inspections
        ("clerk", ["参保登记", "待遇", "监督检查"], ["个人信息查看日志"]),
        ("auditor", ["监督检查", "个人信息查看日志"], []),
        ("manager", ["统计报表", "批处理任务"], []),
        ("nobody", ["首页"], ["参保登记", "批处理任务"]),
    ],
)
def test_navigation_follows_role(client, request, persona, sees, hidden):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("home")).content.decode()
    nav = html.split('<nav class="sidenav"', 1)[1].split("</nav>", 1)[0] if 'class="sidenav"' in html else ""
    for label in sees:
        assert f">{label}<" in nav
    for label in hidden:
        assert f">{label}<" not in nav


def test_logout_is_post_only_and_ends_session(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_village_scope_for_town_agent(agent, clerk, town, other_town):
    Village.objects.create(town=town, code="V1", name="甲村")
    Village.objects.create(town=other_town, code="V2", name="乙村")
    assert list(Village.objects.in_scope(agent).values_list("name", flat=True)) == ["甲村"]
    assert Village.objects.in_scope(clerk).count() == 2
    assert list(Town.choices_for(agent)) == [town]
    assert Town.choices_for(clerk).count() == 12


def test_agent_without_town_sees_nothing(db):
    from tests.conftest import make_user

    lost = make_user("lost", roles.TOWN_AGENT, None)
    Village.objects.create(town=Town.objects.first(), code="V1", name="甲村")
    assert Village.objects.in_scope(lost).count() == 0


@pytest.fixture
def test_jobs(declare):
    """Two jobs declared as an app declares its own (linggao_pension.registry)."""
    declare(job_handlers={"count_towns": "tests.org.jobs.count_towns", "refuse": "tests.org.jobs.refuse"},
            job_labels={"count_towns": "统计镇数"})  # fmt: skip


def test_job_run_records_success_and_progress(clerk, client, test_jobs, django_capture_on_commit_callbacks):
    from linggao_pension.org.tasks import enqueue

    job = services.jobrun_create(kind="count_towns", by=clerk, params={"kind": "town"})
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(job)
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED
    assert job.result == {"towns": 10}
    assert job.progress_done == job.progress_total == 10
    assert job.started_at and job.finished_at
    client.force_login(clerk)
    data = client.get(reverse("org:jobrun_progress", args=[job.pk])).json()
    assert data["finished"] is True and data["percent"] == 100
    page = client.get(reverse("org:jobrun_detail", args=[job.pk])).content.decode()
    assert "统计镇数" in page
    assert "<th>towns</th><td class=\"num\">10</td>" in page


def test_job_runs_only_once(clerk, test_jobs):
    job = services.jobrun_create(kind="count_towns", by=clerk)
    services.jobrun_execute(job=job)
    finished_at = job.finished_at
    services.jobrun_execute(job=job)  # delivered again: already claimed, nothing happens
    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_job_run_records_refusal(clerk, test_jobs):
    from django.core.exceptions import ValidationError

    job = services.jobrun_create(kind="refuse", by=clerk)
    with pytest.raises(ValidationError):
        services.jobrun_execute(job=job)
    job.refresh_from_db()
    assert job.status == JobRun.Status.FAILED
    assert job.error == "2025 年度已结息，不能重复结息"


def test_job_page_lists_row_errors(client, clerk):
    job = JobRun.objects.create(
        kind="import_residents", started_by=clerk, status=JobRun.Status.SUCCEEDED,
        result={"imported": 0, "errors": [{"row": 3, "column": "身份证号", "message": "身份证号校验位错误"}]},
    )
    client.force_login(clerk)
    page = client.get(reverse("org:jobrun_detail", args=[job.pk])).content.decode()
    assert "<th>导入条数</th><td class=\"num\">0</td>" in page
    assert reverse("org:import_result", args=[job.pk]) in page
    assert "身份证号校验位错误" in page and "<td>3</td>" in page


def test_unknown_job_kind_is_refused(clerk):
    with pytest.raises(ValueError):
        services.jobrun_create(kind="no_such_job", by=clerk)


def test_town_agent_sees_only_own_jobs(client, agent, agent_elsewhere):
    mine = JobRun.objects.create(kind="导入", started_by=agent)
    theirs = JobRun.objects.create(kind="导入", started_by=agent_elsewhere)
    client.force_login(agent)
    assert client.get(reverse("org:jobrun_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("org:jobrun_detail", args=[theirs.pk])).status_code == 404


def test_job_list_query_count_is_flat(client, manager, django_assert_max_num_queries):
    for i in range(30):
        JobRun.objects.create(kind=f"任务{i}", started_by=manager)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("org:jobrun_list"))
    assert response.status_code == 200


def test_access_log_needs_permission(client, agent, auditor):
    AccessLog.objects.create(user=auditor, object_type="enrollment.person", object_id="1", label="张三")
    client.force_login(agent)
    assert client.get(reverse("org:accesslog_list")).status_code == 403
    client.force_login(auditor)
    assert "张三" in client.get(reverse("org:accesslog_list")).content.decode()


def test_job_pages_reject_post(client, manager):
    client.force_login(manager)
    assert client.post(reverse("org:jobrun_list")).status_code == 405


def test_error_pages_are_chinese(client, clerk):
    client.force_login(clerk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_money_never_accepts_float():
    from linggao_pension import money

    with pytest.raises(TypeError):
        money.quantize(1.5)
    assert money.quantize(Decimal("2.345")) == Decimal("2.35")
    assert money.quantize(Decimal("-2.345")) == Decimal("-2.35")


def test_apps_declare_themselves_in_the_registry():
    """Each app's apps.py declares its jobs, beat entries, sections, seeders, menu and permissions;
    nothing central lists them (linggao_pension.registry)."""
    from linggao_pension import registry
    from linggao_pension.celery import app

    assert registry.job_handlers()["import_residents"] == "enrollment.services.residents_import_job"
    assert "benefits.payroll" in registry.job_labels()
    assert set(app.conf.beat_schedule) >= {"contributions-post-interest", "benefits-monthly-payroll"}
    assert registry.demo_seeders()[:2] == ["linggao_pension.org.demo.seed", "enrollment.demo.seed"]
    titles = [s.title for s in registry.nav_sections()]
    assert titles[0] == "工作台" and titles[-1] == "系统" and "监督检查" in titles
    assert "benefits.sections.person_section" in registry.person_page_sections()
    assert "enrollment.submit_changerequest" in registry.role_permissions()[roles.TOWN_AGENT]


def test_home_todos_hook_lists_waiting_reviews(clerk, agent):
    from linggao_pension import registry

    labels = [item["label"] for item in registry.home_todos(clerk)]
    assert "待县复核的参保登记申请" in labels
    assert all(item["count"] == 0 for item in registry.home_todos(agent))
