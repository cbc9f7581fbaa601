"""Login protection, session limits and security headers (issue 9).

- Lockout: django-axes (settings "Login protection"): after AXES_FAILURE_LIMIT wrong passwords for
  one username, or from one address, further attempts are refused for AXES_COOLOFF_TIME with the
  Chinese message of `lockout_response`. An administrator unlocks in the admin (访问尝试: delete the
  row) or with `python manage.py axes_reset_username USERNAME` / `axes_reset_ip ADDRESS`.
- Sessions: `SessionLimitsMiddleware` ends a session idle for SESSION_IDLE_TIMEOUT seconds (30
  minutes) or older than SESSION_ABSOLUTE_TIMEOUT (12 hours since login), whatever the user does.
  A password change ends every other session of the user (Django's session auth hash: the
  password hash is part of it) and keeps the current one (`update_session_auth_hash`).
- Logins, logouts and failures: axes' tables (AccessLog: login and logout times, address,
  browser; AccessFailureLog: every failure) in the admin, and the `linggao_pension.security`
  logger.
- Headers: `SecurityHeadersMiddleware` adds the content security policy (settings.
  CONTENT_SECURITY_POLICY: scripts and styles only from our own static files, no inline script or
  style attribute), Permissions-Policy, and `Cache-Control: private, no-store` on every page
  served to a signed-in user (pages carry personal data; no shared cache keeps them).
"""

import logging
import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import render

log = logging.getLogger("linggao_pension.security")

LOGIN_AT = "_security_login_at"
LAST_SEEN = "_security_last_seen"
# Polled by open job pages: a poll is not the user doing something, so it does not keep a session alive.
PASSIVE_SUFFIXES = ("/progress/",)
IDLE_MESSAGE = "您已超过 {minutes} 分钟未操作，为保护个人信息系统已自动退出，请重新登录。"
ABSOLUTE_MESSAGE = "本次登录已满 {hours} 小时，为保护个人信息请重新登录。"
LOCKOUT_MESSAGE = ("登录失败次数过多，该账号或本机地址已被锁定 {minutes} 分钟，请稍后再试；"
                   "如需立即解锁，请联系县局系统管理员。")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN] = now
    log.info("login user=%s ip=%s", user.get_username(), client_ip(request))


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    log.info("logout user=%s ip=%s", user.get_username() if user else "-", client_ip(request))


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    log.warning("login failed user=%s ip=%s", credentials.get("username", "")[:150], client_ip(request))


def _expired(session, now: float) -> str | None:
    login_at = session.get(LOGIN_AT)
    last_seen = session.get(LAST_SEEN)
    if login_at is None or last_seen is None:
        # A session from before these limits: start counting now.
        session[LOGIN_AT] = login_at or now
        session[LAST_SEEN] = last_seen or now
        return None
    if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
        return IDLE_MESSAGE.format(minutes=settings.SESSION_IDLE_TIMEOUT // 60)
    if now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
        return ABSOLUTE_MESSAGE.format(hours=settings.SESSION_ABSOLUTE_TIMEOUT // 3600)
    return None


class SessionLimitsMiddleware:
    """30 minutes idle, 12 hours at most (settings SESSION_IDLE_TIMEOUT, SESSION_ABSOLUTE_TIMEOUT)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            reason = _expired(request.session, now)
            if reason:
                log.info("session ended user=%s reason=%s", user.get_username(), reason)
                logout(request)
                messages.warning(request, reason)
                return redirect_to_login(request.get_full_path())
            passive = request.path.endswith(PASSIVE_SUFFIXES)
            # Write the session at most once a minute (each write is a database UPDATE).
            if not passive and now - request.session[LAST_SEEN] >= 60:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response


class OutOfRangeIdMiddleware:
    """An id in a URL that no database column can hold (`/persons/99999999999999999999/`: SQLite raises
    OverflowError, PostgreSQL "out of range for type bigint") names no record: 404, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import DataError

        if isinstance(exception, OverflowError) or (
            isinstance(exception, DataError) and "out of range" in str(exception)
        ):
            log.warning("out-of-range id in %s: %s", request.path[:200], exception)
            from linggao_pension.errors import page_not_found

            return page_not_found(request)
        return None


class LoginBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login through a request (the login page, the admin).
    Authentication without a request (code: Django's test client.login, the shell) has no address
    to count and is not a login attempt from outside: it passes on to ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lockout message, status 429."""
    from django.contrib.auth.forms import AuthenticationForm

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request)
    form.errors["__all__"] = form.error_class([LOCKOUT_MESSAGE.format(minutes=minutes)])
    log.warning("locked out user=%s ip=%s", (credentials or {}).get("username", "")[:150], client_ip(request))
    return render(request, "org/login.html", {"form": form, "locked_out": True}, status=429)
