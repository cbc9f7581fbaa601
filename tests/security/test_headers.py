"""Security headers (issue 9): the content security policy the pages satisfy, no-store for signed-in
pages, and `check --deploy` clean with the production variables."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.I)


def csp_violations(html: str) -> list[str]:
    """What `script-src 'self'; style-src 'self'` would block in a page."""
    found = []
    for name, pattern in (("inline script", INLINE_SCRIPT), ("event handler", INLINE_HANDLER), ("style", STYLE)):
        found += [f"{name}: {m.group(0)[:80]}" for m in pattern.finditer(html)]
    return found


def test_the_policy_allows_nothing_inline():
    policy = settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_pages_carry_the_policy_and_satisfy_it(client, clerk):
    login_page = client.get(reverse("login"))
    assert login_page["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert csp_violations(login_page.content.decode()) == []
    client.force_login(clerk)
    for name in ("home", "enrollment:person_list", "contributions:index", "benefits:index", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
        assert csp_violations(response.content.decode()) == [], name


def test_the_checker_finds_what_csp_would_block():
    assert csp_violations('<script>alert(1)</script><p style="x"><a onclick="y">') == [
        "inline script: <script>", "event handler: <a onclick=", "style: <p style="]
    assert csp_violations('<script src="/static/js/app.js"></script>') == []


def test_check_deploy_with_the_production_variables_prints_no_warning(tmp_path):
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "k" * 20 + "-production-secret-Zq8#vL2@pW5!xR9$mT4",
           "ALLOWED_HOSTS": "ylbx.lingao.gov.cn", "CSRF_TRUSTED_ORIGINS": "https://ylbx.lingao.gov.cn",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    for name in ("SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)  # the defaults with DEBUG off are the secure ones
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by tests/e2e for Playwright, never in production
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
