"""Login protection (issue 9): lockout per user and per address, unlock, session idle and absolute
timeouts, a password change ends the other sessions, Chinese password validation, login logging."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "test-pass-123"  # tests.factories.UserFactory
LOCKED = "登录失败次数过多，该账号或本机地址已被锁定 30 分钟"
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 200


def test_five_wrong_passwords_lock_the_user_even_with_the_right_one(client, clerk):
    for _ in range(4):
        response = login(client, "clerk", "wrong")
        assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()
    locked = login(client, "clerk", "wrong")
    assert locked.status_code == 429 and LOCKED in locked.content.decode()
    right = login(client, "clerk", PASSWORD)
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert not signed_in(client)
    # from another address the user stays locked (per user) ...
    assert login(Client(), "clerk", PASSWORD, ip="10.9.9.9").status_code == 429
    assert AccessFailureLog.objects.filter(username="clerk").count() >= 5


def test_five_failures_from_one_address_lock_that_address_for_every_user(client, clerk, finance):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        login(client, name, "wrong", ip="10.0.0.7")
    assert login(client, "finance", PASSWORD, ip="10.0.0.7").status_code == 429
    other = Client()
    assert login(other, "finance", PASSWORD, ip="10.0.0.8").status_code == 302
    assert signed_in(other)


def test_the_admin_unlocks_a_user(client, clerk, admin_user):
    for _ in range(5):
        login(client, "clerk", "wrong", ip="10.0.0.1")
    assert login(Client(), "clerk", PASSWORD, ip="10.0.0.2").status_code == 429
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200 and "clerk" in page.content.decode()
    attempts = list(AccessAttempt.objects.filter(username="clerk").values_list("pk", flat=True))
    response = admin.post(reverse("admin:axes_accessattempt_changelist"),
                          {"action": "delete_selected", "_selected_action": attempts, "post": "yes"})
    assert response.status_code == 302 and not AccessAttempt.objects.filter(username="clerk").exists()
    assert login(Client(), "clerk", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_unlock_command(client, clerk):
    for _ in range(5):
        login(client, "clerk", "wrong")
    call_command("axes_reset_username", "clerk")
    assert login(Client(), "clerk", PASSWORD, ip="10.0.0.3").status_code == 302


def test_logins_and_logouts_are_logged(client, clerk):
    login(client, "clerk", PASSWORD)
    entry = AxesAccessLog.objects.get(username="clerk")
    assert entry.ip_address == "10.0.0.1" and entry.logout_time is None
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.1")
    entry.refresh_from_db()
    assert entry.logout_time is not None


def test_thirty_minutes_idle_ends_the_session(client, clerk):
    with time_machine.travel(T0, tick=False) as clock:
        login(client, "clerk", PASSWORD)
        clock.move_to(T0 + timedelta(minutes=29))
        assert signed_in(client)
        clock.move_to(T0 + timedelta(minutes=29 + 31))
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        page = client.get(response["Location"]).content.decode()
        assert "超过 30 分钟未操作" in page
        assert not signed_in(client)


def test_polling_a_job_does_not_keep_the_session_alive(client, clerk):
    from linggao_pension.org.models import JobRun

    job = JobRun.objects.create(kind="import_residents", started_by=clerk)
    with time_machine.travel(T0, tick=False) as clock:
        login(client, "clerk", PASSWORD)
        for minutes in range(5, 35, 5):
            clock.move_to(T0 + timedelta(minutes=minutes))
            client.get(reverse("org:jobrun_progress", args=[job.pk]))
        clock.move_to(T0 + timedelta(minutes=31))
        assert not signed_in(client)


def test_twelve_hours_at_most_even_when_active(client, clerk):
    with time_machine.travel(T0, tick=False) as clock:
        login(client, "clerk", PASSWORD)
        for minutes in range(20, 12 * 60, 20):
            clock.move_to(T0 + timedelta(minutes=minutes))
            assert signed_in(client), minutes
        clock.move_to(T0 + timedelta(hours=12, minutes=5))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert "本次登录已满 12 小时" in client.get(response["Location"]).content.decode()


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(clerk):
    here, elsewhere = Client(), Client()
    login(here, "clerk", PASSWORD)
    login(elsewhere, "clerk", PASSWORD, ip="10.0.0.2")
    assert signed_in(here) and signed_in(elsewhere)
    response = here.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Lg#2026-qiuyu", "new_password2": "Lg#2026-qiuyu"})
    assert response.status_code == 302
    page = here.get(reverse("home"))
    assert page.status_code == 200 and "其他电脑或浏览器上的登录已全部退出" in page.content.decode()
    assert not signed_in(elsewhere)
    assert signed_in(here)


@pytest.mark.parametrize(("password", "message"), [
    ("12345678", "密码只包含数字"),
    ("password", "这个密码太常见了"),
    ("abc12", "密码长度太短，至少需要 8 个字符"),
])
def test_weak_passwords_are_refused_in_chinese(client, clerk, password, message):
    client.force_login(clerk)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": password, "new_password2": password})
    assert response.status_code == 200 and message in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_a_login_in_code_without_a_request_passes_by_axes(client, clerk):
    # Django's test client.login and the shell authenticate without a request: no address, no lockout count
    assert client.login(username="clerk", password=PASSWORD) and signed_in(client)
    assert not AccessAttempt.objects.exists()
