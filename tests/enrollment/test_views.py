"""Every page: happy path, wrong method (405), another town's row (404), missing permission (403);
list query counts; masking; access logging; the PDF; the person page's section hook."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment import services
from enrollment.models import ChangeRequest, EnrollmentApplication, Person, ReviewStatus
from linggao_pension.org.models import AccessLog, JobRun
from linggao_pension.workflow import review_move
from tests.factories import PersonFactory, make_id_number

from .conftest import application_data

pytestmark = pytest.mark.django_db
RS = ReviewStatus


@dataclass
class Ctx:
    person: Person
    draft: EnrollmentApplication
    submitted: EnrollmentApplication
    change: ChangeRequest
    change_submitted: ChangeRequest
    job: JobRun
    refused_job: JobRun


@pytest.fixture
def ctx(agent, clerk, town) -> Ctx:
    person = PersonFactory(town=town, phone="13812345678", id_number="460028198001011237")
    other = PersonFactory(town=town)
    draft = services.application_create(data=application_data(town), by=agent)
    submitted = services.application_create(
        data=application_data(town, id_number=make_id_number(date(1966, 6, 6)), name="陈春兰"), by=agent
    )
    review_move(to=RS.TOWN_APPROVED, record=submitted, by=agent)
    change = services.change_request_create(person=person, data=_change(person, phone="13900000001"), by=agent)
    change_submitted = services.change_request_create(person=other, data=_change(other, phone="13900000002"),
                                                      by=agent)  # fmt: skip
    review_move(to=RS.TOWN_APPROVED, record=change_submitted, by=agent)
    job = JobRun.objects.create(kind="import_residents", started_by=clerk, status=JobRun.Status.SUCCEEDED,
                                params={"filename": "a.xlsx"}, result={"imported": 3, "errors": []})  # fmt: skip
    refused_job = JobRun.objects.create(
        kind="import_residents", started_by=clerk, status=JobRun.Status.FAILED, params={"filename": "b.xlsx"},
        result={"imported": 0, "errors": [{"row": 2, "column": "身份证号", "message": "身份证号校验位错误"}]},
        error="导入失败：发现 1 处错误，未导入任何数据",
    )  # fmt: skip
    return Ctx(person, draft, submitted, change, change_submitted, job, refused_job)


def _change(person, **kw):
    data = {"phone": person.phone, "residential_address": "", "hukou_address": "", "bank_name": person.bank_name,
            "bank_account": person.bank_account, "town": person.town, "village": None, "identity": person.identity,
            "reason": "本人申请"}  # fmt: skip
    data.update(kw)
    return data


@pytest.fixture
def reviewer_elsewhere(agent_elsewhere):
    """A town-scoped user who holds the county-review permissions: still 404 outside their town."""
    perms = Permission.objects.filter(codename__in=["review_enrollmentapplication", "review_changerequest"])
    agent_elsewhere.user_permissions.add(*perms)
    return agent_elsewhere


# name, url builder, method, persona allowed, persona refused (403), persona elsewhere (404) or None, POST data
VIEWS = [
    ("index", lambda c: reverse("enrollment:index"), "get", "agent", "nobody", None),
    ("person_list", lambda c: reverse("enrollment:person_list"), "get", "agent", "nobody", None),
    ("person_detail", lambda c: reverse("enrollment:person_detail", args=[c.person.pk]), "get", "agent", "nobody",
     "agent_elsewhere"),
    ("application_list", lambda c: reverse("enrollment:application_list"), "get", "agent", "nobody", None),
    ("application_create", lambda c: reverse("enrollment:application_create"), "get", "agent", "clerk", None),
    ("application_detail", lambda c: reverse("enrollment:application_detail", args=[c.draft.pk]), "get", "agent",
     "nobody", "agent_elsewhere"),
    ("application_edit", lambda c: reverse("enrollment:application_edit", args=[c.draft.pk]), "get", "agent",
     "clerk", "agent_elsewhere"),
    ("application_submit", lambda c: reverse("enrollment:application_submit", args=[c.draft.pk]), "post", "agent",
     "clerk", "agent_elsewhere"),
    ("application_town_return", lambda c: reverse("enrollment:application_town_return", args=[c.draft.pk]), "post",
     "agent", "clerk", "agent_elsewhere"),
    ("application_approve", lambda c: reverse("enrollment:application_approve", args=[c.submitted.pk]), "post",
     "clerk", "agent", "reviewer_elsewhere"),
    ("application_county_return", lambda c: reverse("enrollment:application_county_return", args=[c.submitted.pk]),
     "post", "clerk", "agent", "reviewer_elsewhere"),
    ("application_cancel", lambda c: reverse("enrollment:application_cancel", args=[c.draft.pk]), "post", "agent",
     "clerk", "agent_elsewhere"),
    ("application_pdf", lambda c: reverse("enrollment:application_pdf", args=[c.draft.pk]), "get", "agent", "nobody",
     "agent_elsewhere"),
    ("changerequest_list", lambda c: reverse("enrollment:changerequest_list"), "get", "agent", "nobody", None),
    ("changerequest_create", lambda c: reverse("enrollment:changerequest_create", args=[c.person.pk]), "get", "agent",
     "clerk", "agent_elsewhere"),
    ("changerequest_detail", lambda c: reverse("enrollment:changerequest_detail", args=[c.change.pk]), "get", "agent",
     "nobody", "agent_elsewhere"),
    ("changerequest_edit", lambda c: reverse("enrollment:changerequest_edit", args=[c.change.pk]), "get", "agent",
     "clerk", "agent_elsewhere"),
    ("changerequest_submit", lambda c: reverse("enrollment:changerequest_submit", args=[c.change.pk]), "post",
     "agent", "clerk", "agent_elsewhere"),
    ("changerequest_town_return", lambda c: reverse("enrollment:changerequest_town_return", args=[c.change.pk]),
     "post", "agent", "clerk", "agent_elsewhere"),
    ("changerequest_approve", lambda c: reverse("enrollment:changerequest_approve", args=[c.change_submitted.pk]),
     "post", "clerk", "agent", "reviewer_elsewhere"),
    ("changerequest_county_return",
     lambda c: reverse("enrollment:changerequest_county_return", args=[c.change_submitted.pk]), "post", "clerk",
     "agent", "reviewer_elsewhere"),
    ("changerequest_cancel", lambda c: reverse("enrollment:changerequest_cancel", args=[c.change.pk]), "post",
     "agent", "clerk", "agent_elsewhere"),
    ("import_upload", lambda c: reverse("enrollment:import_upload"), "get", "clerk", "agent", None),
    ("import_template", lambda c: reverse("enrollment:import_template"), "get", "clerk", "agent", None),
    ("import_result", lambda c: reverse("org:import_result", args=[c.job.pk]), "get", "clerk", "agent", None),
    ("import_errors", lambda c: reverse("org:import_errors", args=[c.refused_job.pk]), "get", "clerk", "agent",
     None),
]  # fmt: skip
IDS = [v[0] for v in VIEWS]
POST_DATA = {"opinion": "已核实"}


def call(client, method, url):
    return client.post(url, POST_DATA) if method == "post" else client.get(url)


@pytest.mark.parametrize("name, url, method, ok, refused, elsewhere", VIEWS, ids=IDS)
def test_happy_path(client, request, ctx, name, url, method, ok, refused, elsewhere):
    client.force_login(request.getfixturevalue(ok))
    response = call(client, method, url(ctx))
    assert response.status_code == (302 if method == "post" else 200)
    if method == "post":
        messages = [str(m) for m in response.wsgi_request._messages]
        assert messages and not any("不能" in m or "必须" in m for m in messages), messages


@pytest.mark.parametrize("name, url, method, ok, refused, elsewhere", VIEWS, ids=IDS)
def test_wrong_method_is_405(client, request, ctx, name, url, method, ok, refused, elsewhere):
    client.force_login(request.getfixturevalue(ok))
    response = client.get(url(ctx)) if method == "post" else client.delete(url(ctx))
    assert response.status_code == 405


@pytest.mark.parametrize("name, url, method, ok, refused, elsewhere", [v for v in VIEWS if v[5]],
                         ids=[v[0] for v in VIEWS if v[5]])  # fmt: skip
def test_another_towns_row_is_404(client, request, ctx, name, url, method, ok, refused, elsewhere):
    client.force_login(request.getfixturevalue(elsewhere))
    assert call(client, method, url(ctx)).status_code == 404


@pytest.mark.parametrize("name, url, method, ok, refused, elsewhere", VIEWS, ids=IDS)
def test_missing_permission_is_403(client, request, ctx, name, url, method, ok, refused, elsewhere):
    client.force_login(request.getfixturevalue(refused))
    assert call(client, method, url(ctx)).status_code == 403


def test_import_result_of_another_job_kind_is_404(client, clerk):
    job = JobRun.objects.create(kind="payroll", started_by=clerk)
    client.force_login(clerk)
    assert client.get(reverse("org:import_result", args=[job.pk])).status_code == 404
    assert client.get(reverse("org:import_errors", args=[job.pk])).status_code == 404


def test_import_errors_of_an_import_without_errors_is_404(client, clerk, ctx):
    client.force_login(clerk)
    assert client.get(reverse("org:import_errors", args=[ctx.job.pk])).status_code == 404


def test_pages_need_login(client, ctx):
    response = client.get(reverse("enrollment:person_detail", args=[ctx.person.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- the actions through the pages -----------------------------------------------------------------


def test_full_workflow_through_the_pages(client, agent, clerk, town):
    client.force_login(agent)
    id_number = make_id_number(date(1970, 7, 7), "2")
    form = {**{k: v for k, v in application_data(town, id_number=id_number).items() if v not in (None, False)},
            "town": town.pk, "identity": "011", "applied_on": "2026-03-09"}  # fmt: skip
    response = client.post(reverse("enrollment:application_create"), form)
    application = EnrollmentApplication.objects.get()
    assert response["Location"] == reverse("enrollment:application_detail", args=[application.pk])
    assert application.sex == "2" and application.birth_date == date(1970, 7, 7)
    client.post(reverse("enrollment:application_submit", args=[application.pk]), {"opinion": "材料齐全"})
    client.force_login(clerk)
    page = client.get(reverse("enrollment:application_detail", args=[application.pk])).content.decode()
    assert "县复核通过" in page and reverse("enrollment:application_approve", args=[application.pk]) in page
    client.post(reverse("enrollment:application_approve", args=[application.pk]), {"opinion": ""})
    application.refresh_from_db()
    assert application.status == RS.COUNTY_APPROVED and application.person.status == Person.Status.CONTRIBUTING


def test_bad_form_input_shows_chinese_errors_and_saves_nothing(client, agent, town, other_town):
    client.force_login(agent)
    form = {"id_number": "440524188001010015", "name": "", "ethnicity": "01", "hukou_type": "20",
            "hukou_address": "x", "town": town.pk, "identity": "011", "applied_on": "2026-03-11",
            "phone": "12"}  # fmt: skip
    response = client.post(reverse("enrollment:application_create"), form)
    html = response.content.decode()
    assert response.status_code == 200
    for message in ("身份证号校验位错误", "申请日期不能晚于今天", "这个字段是必填项", "格式不正确"):
        assert message in html
    assert not EnrollmentApplication.objects.exists()
    # An agent cannot pick another town at all.
    response = client.post(reverse("enrollment:application_create"), {**form, "town": other_town.pk})
    assert "选择一个有效的选项" in response.content.decode()


def test_service_refusal_is_shown_on_the_form(client, agent, town):
    registered = PersonFactory(town=town)
    client.force_login(agent)
    form = {"id_number": registered.id_number, "name": "张三", "ethnicity": "01", "hukou_type": "20",
            "hukou_address": "临城镇", "town": town.pk, "identity": "011", "applied_on": "2026-03-09"}  # fmt: skip
    html = client.post(reverse("enrollment:application_create"), form).content.decode()
    assert f"该身份证号已登记参保（参保编号 {registered.insured_no}）" in html
    assert not EnrollmentApplication.objects.exists()


def test_refused_step_is_reported_and_changes_nothing(client, admin_user, ctx):
    client.force_login(admin_user)
    client.post(reverse("enrollment:application_submit", args=[ctx.draft.pk]), {})
    response = client.post(reverse("enrollment:application_approve", args=[ctx.draft.pk]), {}, follow=True)
    assert "提交人不能复核本人提交的申请，请由其他县局经办员复核" in response.content.decode()
    ctx.draft.refresh_from_db()
    assert ctx.draft.status == RS.TOWN_APPROVED


def test_return_without_opinion_is_refused(client, agent, ctx):
    client.force_login(agent)
    response = client.post(reverse("enrollment:application_town_return", args=[ctx.draft.pk]), {}, follow=True)
    assert "镇初审退回时必须填写意见" in response.content.decode()
    ctx.draft.refresh_from_db()
    assert ctx.draft.status == RS.DRAFT


@pytest.mark.parametrize("kind, step", [("application", "town_return"), ("application", "cancel"),
                                        ("changerequest", "town_return"), ("changerequest", "cancel")])  # fmt: skip
def test_missing_opinion_is_shown_at_the_opinion_field(client, agent, ctx, kind, step):
    record = ctx.draft if kind == "application" else ctx.change
    client.force_login(agent)
    response = client.post(reverse(f"enrollment:{kind}_{step}", args=[record.pk]), {"opinion": "  "})
    assert response.status_code == 200
    assert response.context["opinion_form"].errors == {"opinion": [f"{'撤销' if step == 'cancel' else '镇初审退回'}时必须填写意见"]}
    assert 'id="id_opinion_error"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == RS.DRAFT
    assert record.status_changes.count() == 1


def test_buttons_follow_role_and_maker_checker(client, agent, clerk, admin_user, ctx):
    submit_url = reverse("enrollment:application_submit", args=[ctx.draft.pk])
    approve_url = reverse("enrollment:application_approve", args=[ctx.submitted.pk])
    client.force_login(agent)
    assert submit_url in client.get(reverse("enrollment:application_detail", args=[ctx.draft.pk])).content.decode()
    assert approve_url not in client.get(reverse("enrollment:application_detail", args=[ctx.submitted.pk])).content.decode()
    client.force_login(clerk)
    assert submit_url not in client.get(reverse("enrollment:application_detail", args=[ctx.draft.pk])).content.decode()
    assert approve_url in client.get(reverse("enrollment:application_detail", args=[ctx.submitted.pk])).content.decode()


def test_change_request_through_the_pages(client, agent, clerk, ctx, other_town):
    person = PersonFactory(town=ctx.person.town, phone="13800000077")
    client.force_login(agent)
    form = {"phone": "13900000077", "town": other_town.pk, "identity": "011", "reason": "搬迁",
            "bank_account": person.bank_account, "bank_name": person.bank_name}  # fmt: skip
    response = client.post(reverse("enrollment:changerequest_create", args=[person.pk]), form)
    change = ChangeRequest.objects.get(person=person)
    assert response["Location"] == reverse("enrollment:changerequest_detail", args=[change.pk])
    assert change.changed_fields == ["phone", "town", "village"]
    client.post(reverse("enrollment:changerequest_submit", args=[change.pk]), {})
    client.force_login(clerk)
    client.post(reverse("enrollment:changerequest_approve", args=[change.pk]), {})
    person.refresh_from_db()
    assert person.town == other_town and person.phone == "13900000077"
    html = client.get(reverse("enrollment:person_detail", args=[person.pk])).content.decode()
    assert f"信息变更（{change.number}）：联系电话、镇/农场、村/居委会" in html
    assert "联系电话：13800000077 → 13900000077" in html  # clerks see full values


def test_after_a_move_the_old_town_sees_its_records_without_a_dead_link_to_the_person(
    client, agent, agent_elsewhere, clerk, town, other_town
):
    application = services.application_create(data=application_data(town), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=application, by=agent)
    person = review_move(to=RS.COUNTY_APPROVED, record=application, by=clerk).person
    change = services.change_request_create(person=person, data=_change(person, town=other_town), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=change, by=agent)
    review_move(to=RS.COUNTY_APPROVED, record=change, by=clerk)
    person_url = reverse("enrollment:person_detail", args=[person.pk])
    client.force_login(agent)  # the old town: still sees the application and the change, not the person
    assert client.get(person_url).status_code == 404
    for url in (reverse("enrollment:application_detail", args=[application.pk]),
                reverse("enrollment:changerequest_detail", args=[change.pk])):  # fmt: skip
        html = client.get(url).content.decode()
        assert person_url not in html and f"现属{other_town.name}" in html
    client.force_login(agent_elsewhere)  # the new town: the link opens
    for url in (reverse("enrollment:application_detail", args=[application.pk]),
                reverse("enrollment:changerequest_detail", args=[change.pk])):  # fmt: skip
        assert person_url in client.get(url).content.decode()
    assert client.get(person_url).status_code == 200


# --- lists: masking and query counts -----------------------------------------------------------


def test_registry_list_masks_id_and_phone(client, agent, ctx):
    client.force_login(agent)
    html = client.get(reverse("enrollment:person_list")).content.decode()
    assert "460028********1237" in html and "138****5678" in html
    assert "460028198001011237" not in html and "13812345678" not in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"name": "甲"}, {"甲一"}),
        ({"id_number": "469024197"}, {"甲一", "乙二"}),
        ({"age_min": 60}, {"丙三"}),
        ({"age_min": 40, "age_max": 56}, {"甲一", "乙二"}),
        ({"age_max": 20}, set()),
        ({"status": "terminated"}, {"乙二"}),
        ({"identity": "021"}, {"乙二"}),
    ],
)
def test_registry_filters(client, clerk, town, other_town, query, expected):
    PersonFactory(name="甲一", town=town, birth_date=date(1970, 3, 10), id_number=make_id_number(date(1970, 3, 10)))
    PersonFactory(name="乙二", town=other_town, birth_date=date(1975, 3, 11), id_number=make_id_number(date(1975, 3, 11)),
                  status=Person.Status.TERMINATED, identity_id="021")  # fmt: skip
    PersonFactory(name="丙三", town=town, birth_date=date(1966, 3, 10), id_number="460028" + "19660310" + "0011")
    client.force_login(clerk)
    response = client.get(reverse("enrollment:person_list"), query)
    names = {p.name for p in response.context["page"]}
    assert names == expected


def test_registry_town_filter_and_scope(client, agent, clerk, town, other_town):
    PersonFactory(name="本镇", town=town)
    PersonFactory(name="外镇", town=other_town)
    client.force_login(agent)
    assert {p.name for p in client.get(reverse("enrollment:person_list")).context["page"]} == {"本镇"}
    client.force_login(clerk)
    response = client.get(reverse("enrollment:person_list"), {"town": other_town.pk})
    assert {p.name for p in response.context["page"]} == {"外镇"}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["enrollment:person_list", "enrollment:application_list",
                                      "enrollment:changerequest_list", "enrollment:index"])  # fmt: skip
def test_list_query_count_is_flat(client, agent, town, village, url_name, django_assert_max_num_queries):
    def add(n, start):
        for i in range(start, start + n):
            person = PersonFactory(town=town, village=village)
            services.change_request_create(person=person, data=_change(person, phone=f"139{i:08d}"), by=agent)
            services.application_create(data=application_data(town, id_number=make_id_number(date(1950 + i, 1, 1))),
                                        by=agent)  # fmt: skip

    client.force_login(agent)
    add(3, 0)
    few = _queries(client, reverse(url_name))
    add(30, 3)
    with django_assert_max_num_queries(few):
        client.get(reverse(url_name))
    assert few <= 16


# --- the person page ---------------------------------------------------------------------------


def test_person_page_logs_the_view(client, agent, ctx):
    client.force_login(agent)
    client.get(reverse("enrollment:person_detail", args=[ctx.person.pk]), REMOTE_ADDR="10.0.0.8")
    log = AccessLog.objects.get(object_type="enrollment.person")
    assert log.user == agent and log.object_id == str(ctx.person.pk) and log.action == "查看"
    assert log.label == str(ctx.person) and log.ip_address == "10.0.0.8"


def test_person_page_full_for_clerk_and_own_town_agent_masked_for_finance(client, agent, clerk, finance, ctx):
    """Town agents collect and correct their own town's people's data: they see the full record
    (and the view is logged); roles without view_person_full see it masked."""
    url = reverse("enrollment:person_detail", args=[ctx.person.pk])
    client.force_login(clerk)
    assert "460028198001011237" in client.get(url).content.decode()
    client.force_login(agent)
    html = client.get(url).content.decode()
    assert "460028198001011237" in html and "13812345678" in html
    assert AccessLog.objects.filter(user=agent, object_type="enrollment.person", object_id=str(ctx.person.pk)).exists()
    client.force_login(finance)
    html = client.get(url).content.decode()
    assert "460028198001011237" not in html and "460028********1237" in html
    assert "13812345678" not in html and "138****5678" in html


def test_own_town_agent_sees_full_values_in_change_request(client, agent, ctx):
    client.force_login(agent)
    response = client.get(reverse("enrollment:changerequest_detail", args=[ctx.change.pk]))
    assert {"label": "联系电话", "old": "13812345678", "new": "13900000001"} in response.context["lines"]


def test_agent_full_view_still_limited_to_own_town(client, agent_elsewhere, ctx):
    client.force_login(agent_elsewhere)
    assert agent_elsewhere.has_perm("enrollment.view_person_full")
    assert client.get(reverse("enrollment:person_detail", args=[ctx.person.pk])).status_code == 404
    assert not AccessLog.objects.filter(object_type="enrollment.person").exists()


def test_person_page_shows_application_changes_and_history(client, agent, clerk, town):
    application = services.application_create(data=application_data(town), by=agent)
    review_move(to=RS.TOWN_APPROVED, record=application, by=agent)
    application = review_move(to=RS.COUNTY_APPROVED, record=application, by=clerk)
    client.force_login(clerk)
    html = client.get(reverse("enrollment:person_detail", args=[application.person_id])).content.decode()
    assert application.number in html
    assert f"参保登记（{application.number} 县复核通过）" in html
    assert "正常参保" in html


def test_person_page_query_count_does_not_grow_with_the_entries(client, agent, clerk, town, village):
    """The person page with the real sections of the other apps (account entries, counted years,
    the benefit estimate), its change requests and its history: the same number of queries for a
    person with a few of each as for one with thirty of each."""
    from tests.factories import AccountEntryFactory

    def person_with(n: int) -> Person:
        person = PersonFactory(town=town, village=village)
        for i in range(n):
            AccountEntryFactory(person=person, created_by=clerk, entry_date=date(2000 + i, 5, 1), year=2000 + i)
            person.phone = f"139{i:08d}"
            person._history_user, person._change_reason = clerk, f"测试变更 {i}"
            person.save()
            change = services.change_request_create(person=person, data=_change(person, phone=f"137{i:08d}"),
                                                    by=agent)  # fmt: skip
            review_move(to=RS.CANCELLED, record=change, opinion="测试", by=agent)
        return person

    few, many = person_with(2), person_with(30)
    client.force_login(agent)
    queries_few = _queries(client, reverse("enrollment:person_detail", args=[few.pk]))
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("enrollment:person_detail", args=[many.pk])).content.decode()
    assert len(captured) == queries_few, "\n".join(q["sql"][:300] for q in captured.captured_queries)
    assert "测试变更 29" in html and "2029" in html  # the entries and the history are really there


def test_person_page_says_when_the_history_is_cut(client, clerk, town):
    person = PersonFactory(town=town)
    client.force_login(clerk)
    url = reverse("enrollment:person_detail", args=[person.pk])
    assert "仅显示最近 50 条记录" not in client.get(url).content.decode()
    for i in range(50):
        person.phone = f"139{i:08d}"
        person.save()
    response = client.get(url)
    assert len(response.context["history"]) == 50 and "仅显示最近 50 条记录" in response.content.decode()


def section_with_content(request, person):
    return {"title": "测试板块", "template": "review/_steps.html", "context": {"steps": []}}


def section_absent(request, person):
    return None


def test_person_page_renders_sections_of_other_apps(client, clerk, ctx, monkeypatch):
    from linggao_pension import registry

    monkeypatch.setattr(registry, "person_page_sections", lambda: [
        "tests.enrollment.test_views.section_with_content",
        "tests.enrollment.test_views.section_absent",
    ])  # fmt: skip
    client.force_login(clerk)
    html = client.get(reverse("enrollment:person_detail", args=[ctx.person.pk])).content.decode()
    assert html.count('class="card person-section"') == 1
    assert "<h2>测试板块</h2>" in html


# --- the PDF -------------------------------------------------------------------------------------


def test_registration_form_pdf(client, agent, ctx):
    client.force_login(agent)
    response = client.get(reverse("enrollment:application_pdf", args=[ctx.draft.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 1024
    assert AccessLog.objects.filter(action="打印", object_type="enrollment.enrollmentapplication").exists()


def test_registration_form_text(agent, ctx):
    from enrollment.reports import application_form_context

    context = application_form_context(ctx.draft, full=False)
    values = [value for row in context["rows"] for _, value in row]
    assert id_masked_value(ctx.draft.id_number) in values and ctx.draft.id_number not in values
    assert application_form_context(ctx.draft, full=True)["rows"][1][0] == ("公民身份号码", ctx.draft.id_number)


def id_masked_value(value: str) -> str:
    return value[:6] + "*" * 8 + value[-4:]


def test_dashboard_shows_counts_and_pending_reviews(client, clerk, clerk2, ctx):
    client.force_login(clerk)
    response = client.get(reverse("enrollment:index"))
    panels = {p["title"]: p for p in response.context["panels"]}
    assert panels["待我县复核的参保登记申请"]["count"] == 1
    assert panels["待我县复核的信息变更"]["count"] == 1
    counts = {s["value"]: s["count"] for s in response.context["status_counts"]}
    assert counts["contributing"] == Person.objects.count() == 2
    assert ctx.submitted.number in response.content.decode()


def test_dashboard_hides_what_the_reviewer_submitted(client, admin_user, ctx):
    review_move(to=RS.TOWN_APPROVED, record=ctx.draft, by=admin_user)
    client.force_login(admin_user)
    panels = {p["title"]: p for p in client.get(reverse("enrollment:index")).context["panels"]}
    assert [a.pk for a in panels["待我县复核的参保登记申请"]["rows"]] == [ctx.submitted.pk]


def test_navigation_lists_enrollment_pages(client, agent, clerk):
    client.force_login(agent)
    html = client.get(reverse("enrollment:index")).content.decode()
    assert ">参保人员<" in html and ">参保登记申请<" in html and ">信息变更<" in html and ">历史数据导入<" not in html
    client.force_login(clerk)
    assert ">历史数据导入<" in client.get(reverse("enrollment:index")).content.decode()


@pytest.mark.parametrize("url, table", [("enrollment:application_list", "enrollment_enrollmentapplication"),
                                        ("enrollment:changerequest_list", "enrollment_changerequest")])
def test_the_request_lists_join_only_what_a_row_shows(client, clerk, town, ctx, url, table):
    """A list row shows the number, the person, the town and who entered it. Joining every table the
    detail page needs (eight to eleven) made PostgreSQL spend 20-40 ms planning each list view on the
    county; the page's query joins at most three."""
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse(url)).content.decode()
    page_sql = [q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{table}"."id"') and "LIMIT" in q["sql"]]
    assert len(page_sql) == 1 and page_sql[0].count(" JOIN ") <= 3, page_sql
    assert town.name in html and ("DJ0" in html or "BG0" in html)
