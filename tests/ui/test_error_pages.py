"""The bureau's own error pages (DEBUG off, as `make run` serves): 404 and 405 in Chinese,
never Django's English debug pages or a blank 405."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import PersonFactory

from .html import doc, text

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_another_towns_person_is_the_chinese_404(client, agent, other_town, settings):
    settings.DEBUG = False
    person = PersonFactory(town=other_town)
    client.force_login(agent)
    response = client.get(reverse("enrollment:person_detail", args=[person.pk]))
    assert response.status_code == 404
    body = text(doc(response))
    assert "404 找不到" in body and "不在您的经办范围内" in body
    assert "URLconf" not in body and "Page not found" not in body
    # The page keeps the layout: the menu and the way home.
    assert doc(response).xpath('//nav[@class="sidenav"]') and "返回首页" in body


def test_unknown_address_is_the_chinese_404(client, clerk):
    client.force_login(clerk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "404 找不到" in response.content.decode()


def test_post_only_address_opened_in_the_browser_is_the_chinese_405(client, agent):
    client.force_login(agent)
    response = client.get(reverse("enrollment:application_submit", args=[1]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    body = text(doc(response))
    assert "405 操作方式不正确" in body and "只用于提交操作" in body and "返回首页" in body


def test_405_of_a_get_only_page_keeps_allow_and_says_so(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("enrollment:person_list"))
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert "405 操作方式不正确" in response.content.decode()


def test_403_is_chinese(client, agent):
    client.force_login(agent)
    response = client.get(reverse("enrollment:import_upload"))
    assert response.status_code == 403
    assert "403 没有权限" in response.content.decode()


def test_make_run_settings_are_production_like_over_plain_http(tmp_path):
    """`make run`'s environment: DEBUG off, local hosts, non-secure cookies, WhiteNoise's manifest."""
    env = {
        **os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 50, "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "linggao_pension.settings",
    }  # fmt: skip
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.STORAGES['staticfiles']['BACKEND'], 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "False", "['127.0.0.1',", "'localhost']", "False", "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage", "True",
    ]  # fmt: skip
    makefile = (ROOT / "Makefile").read_text()
    assert "DEBUG=false" in makefile and "collectstatic" in makefile and "\ndev:" in makefile
