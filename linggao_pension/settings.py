"""Settings for the 临高县城乡居民社会养老保险 back-office.

One module, driven by the environment. The defaults are for a developer's machine:
a SQLite file beside manage.py and Celery tasks run eagerly in-process.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


# 1. Core -------------------------------------------------------------------------------------
DEBUG = envbool("DEBUG", "true")
SECRET_KEY = envsecret("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "simple_history",
    "axes",
    "linggao_pension.org",
    "enrollment",
    "contributions",
    "benefits",
    "supervision",
    "archives",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # An empty 405 (a POST-only address opened in the browser) gets the Chinese error page.
    "linggao_pension.errors.MethodNotAllowedPageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "linggao_pension.security.SessionLimitsMiddleware",
    "linggao_pension.security.SecurityHeadersMiddleware",
    "linggao_pension.security.OutOfRangeIdMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linggao_pension.urls"
WSGI_APPLICATION = "linggao_pension.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linggao_pension.navigation.navigation",
            ],
            "builtins": ["linggao_pension.templatetags.formatting", "linggao_pension.templatetags.form_layout"],
        },
    },
]
FORM_RENDERER = "linggao_pension.forms_layout.FormRenderer"

# 2. Database ----------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Long imports and batch jobs hold the write lock for a while; wait for it instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# 3. Authentication ------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username or address before the password is checked.
    "linggao_pension.security.LoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's validators; their messages are Chinese (LANGUAGE_CODE zh-hans).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "linggao_pension.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions (linggao_pension/security.py): ended after 30 minutes without a request and 12 hours after
# login at most; the cookie dies with the browser.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", 30 * 60))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login protection (django-axes): 5 wrong passwords for one username, or from one address, lock
# further attempts of that username / address for 30 minutes (each counted on its own). Failures,
# logins and logouts are kept in axes' tables (admin 访问尝试 / 访问日志 / 访问失败日志).
from datetime import timedelta  # noqa: E402

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 30)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "linggao_pension.security.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# 4. Language, time ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# 5. Static and media files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The CJK font used by every PDF (shipped in static/, so Chinese renders on any machine).
PDF_FONT_PATH = BASE_DIR / "static" / "fonts" / "DroidSansFallbackFull.ttf"
# Uploads: a file above FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file instead of memory; a request
# body (other than files) above DATA_UPLOAD_MAX_MEMORY_SIZE is refused; every upload form refuses a file
# above UPLOAD_MAX_BYTES with a Chinese message (linggao_pension.uploads).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_MB", 20)) * 1024 * 1024

# 6. Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or None
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
# Without a broker (the embedded default) tasks run eagerly in-process.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Jobs take minutes, not hours (a county's payroll, a 100,000-row import): a task is acknowledged
# only when it is done (acks late) and put back when its worker process dies (reject on worker
# lost), the Redis broker hands an unacknowledged task out again after 10 minutes instead of an
# hour, and a task that runs away is stopped after 20 (soft: the job records a plain reason) or 25
# minutes. A job whose worker was killed is resumed sooner, within a minute or two, by its stopped
# heartbeat (JOB_STALL_SECONDS, org.tasks.jobs_resume_stalled); a task handed out twice runs its
# job once (the job is claimed by a conditional UPDATE).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "600"))}
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", str(20 * 60)))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", str(25 * 60)))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The beat schedule is gathered from the apps (their AppConfig's `beat_schedule`,
# linggao_pension.registry) when Django starts (org's AppConfig.ready).

# Batch-job recovery (org.services): a running job writes a heartbeat with each progress report
# and every JOB_HEARTBEAT_SECONDS while it works (0: only with progress); one silent for
# JOB_STALL_SECONDS is shown as 已停滞 and resumed by the beat task below (every
# JOB_RESUME_EVERY_SECONDS, at most JOB_MAX_ATTEMPTS runs) or by a manager on its page.
JOB_STALL_SECONDS = int(os.environ.get("JOB_STALL_SECONDS", "120"))
JOB_HEARTBEAT_SECONDS = int(os.environ.get("JOB_HEARTBEAT_SECONDS", "15"))
JOB_RESUME_EVERY_SECONDS = int(os.environ.get("JOB_RESUME_EVERY_SECONDS", "60"))
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "5"))
# Dashboard figures kept by a job (org.figures): beat recomputes them every KEPT_FIGURES_SECONDS; a
# page recomputes a set itself only when it is older than KEPT_FIGURES_MAX_AGE (no beat running).
KEPT_FIGURES_SECONDS = int(os.environ.get("KEPT_FIGURES_SECONDS", "60"))
KEPT_FIGURES_MAX_AGE = int(os.environ.get("KEPT_FIGURES_MAX_AGE", "120"))
# Without a broker: "thread" runs a job in a background thread once the request's transaction has
# committed (the page redirects to the job at once); "sync" runs it inside the request (the tests).
JOB_EAGER_MODE = os.environ.get("JOB_EAGER_MODE", "thread")

# 7. Security (production values come from the environment; with DEBUG off the defaults are the
# secure ones: HTTPS only, secure cookies, HSTS for a year) -----------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
BEHIND_PROXY = envbool("BEHIND_PROXY", "false")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
if BEHIND_PROXY:
    # The client's address (lockout per address, logs) is the one the proxy puts in X-Forwarded-For.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# Content security policy (linggao_pension.security.SecurityHeadersMiddleware): scripts, styles, fonts
# and images only from our own static files; no inline script, no style attribute, no framing.
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'self'", "object-src 'none'",
]))

# 8. Logging: access to full personal records goes to the database (org.AccessLog), the rest here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Batch jobs (handlers, labels, result pages, the permission to download a job's stored upload),
# person-page sections, demo seeders, navigation and role permissions are declared by each app in
# its apps.py (linggao_pension.registry).

# 9. The project's own settings ------------------------------------------------------------------
PAGE_SIZE = 50

# archives: the address printed on certificates (their QR code and verification URL point here).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
