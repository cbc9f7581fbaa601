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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 8 * 3600  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

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
# The one beat schedule; each app adds its month-end / year-end jobs here.
CELERY_BEAT_SCHEDULE: dict = {}

# Batch-job recovery (org.services): a running job writes a heartbeat with each progress report
# and every JOB_HEARTBEAT_SECONDS while it works (0: only with progress); one silent for
# JOB_STALL_SECONDS is shown as 已停滞 and resumed by the beat task below (every
# JOB_RESUME_EVERY_SECONDS, at most JOB_MAX_ATTEMPTS runs) or by a manager on its page.
JOB_STALL_SECONDS = int(os.environ.get("JOB_STALL_SECONDS", "120"))
JOB_HEARTBEAT_SECONDS = int(os.environ.get("JOB_HEARTBEAT_SECONDS", "15"))
JOB_RESUME_EVERY_SECONDS = int(os.environ.get("JOB_RESUME_EVERY_SECONDS", "60"))
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "5"))
# Without a broker: "thread" runs a job in a background thread once the request's transaction has
# committed (the page redirects to the job at once); "sync" runs it inside the request (the tests).
JOB_EAGER_MODE = os.environ.get("JOB_EAGER_MODE", "thread")
CELERY_BEAT_SCHEDULE |= {
    "org-resume-stalled-jobs": {
        "task": "linggao_pension.org.tasks.jobs_resume_stalled",
        "schedule": float(JOB_RESUME_EVERY_SECONDS),
    },
}

from celery.schedules import crontab  # noqa: E402

# contributions: year-end interest on 1 January for the year just ended (R6); the month-end
# remittance to the fiscal special account, which acts only on the last day of the month (R18).
CELERY_BEAT_SCHEDULE |= {
    "contributions-post-interest": {
        "task": "contributions.tasks.post_interest_for_last_year",
        "schedule": crontab(minute=30, hour=1, day_of_month=1, month_of_year=1),
    },
    "contributions-remit-premiums": {
        "task": "contributions.tasks.remit_premiums_month_end",
        "schedule": crontab(minute=0, hour=22, day_of_month="28-31"),
    },
}

# benefits: the monthly payroll, generated once on or after the payroll day (a parameter in the
# admin); the task checks twice a day and does nothing when not due or already generated.
CELERY_BEAT_SCHEDULE |= {
    "benefits-monthly-payroll": {
        "task": "benefits.tasks.payroll_monthly",
        "schedule": crontab(minute=15, hour="2,14"),
    },
}

# supervision: every morning, reports unanswered 10 days after they reached the unit are recorded
# as 逾期视同无异议 (once; the job skips what is done).
CELERY_BEAT_SCHEDULE |= {
    "supervision-daily": {"task": "supervision.tasks.supervision_daily", "schedule": crontab(minute=10, hour=1)},
}

# 7. Security (production values come from the environment) --------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", "false") else None

# 8. Logging: access to full personal records goes to the database (org.AccessLog), the rest here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Batch jobs: kind -> service handler(job=, by=, **params) -> result dict, run by org.tasks.run_job
# (Celery) or synchronously by the job's management command. Apps register theirs here.
JOB_HANDLERS: dict[str, str] = {
    "import_residents": "enrollment.services.residents_import_job",
}
JOB_LABELS: dict[str, str] = {
    "import_residents": "历史参保人员导入",
}

# contributions: the year-end and month-end batches (their commands run the same handlers).
JOB_HANDLERS |= {
    "contributions.post_interest": "contributions.services.interest_post_job",
    "contributions.post_daijiao": "contributions.services.daijiao_post_job",
    "contributions.remit_premiums": "contributions.services.remittance_generate_job",
}
JOB_LABELS |= {
    "contributions.post_interest": "年度结息",
    "contributions.post_daijiao": "政府代缴入账",
    "contributions.remit_premiums": "保费上缴财政专户",
}

# benefits: the monthly payroll, its bank files, the bank return file and the go-live import of pensioners.
JOB_HANDLERS |= {
    "benefits.payroll": "benefits.services.payroll_job",
    "benefits.payroll_export": "benefits.services.payroll_export_job",
    "benefits.payroll_close": "benefits.services.payroll_close_job",
    "benefits.import_pensioners": "benefits.services.pensioners_import_job",
}
JOB_LABELS |= {
    "benefits.payroll": "月度待遇发放（生成发放明细）",
    "benefits.payroll_export": "月度待遇发放（导出银行文件）",
    "benefits.payroll_close": "月度待遇发放（银行回盘入账）",
    "benefits.import_pensioners": "原系统待遇领取人员导入",
}

# supervision: the suspect-list import, the scan of the system's own data and the daily job
# (逾期视同无异议).
JOB_HANDLERS |= {
    "supervision.import_suspect_list": "supervision.services.suspects.suspect_list_job",
    "supervision.scan_system": "supervision.services.suspects.system_scan_job",
    "supervision.daily": "supervision.services.daily.daily_job",
}
JOB_LABELS |= {
    "supervision.import_suspect_list": "疑点比对名单导入",
    "supervision.scan_system": "系统数据疑点比对",
    "supervision.daily": "监督检查每日任务（逾期视同无异议）",
}

# Jobs whose app has a page for the outcome (kind -> URL name taking the job's pk): the job page links to it.
JOB_RESULT_PAGES: dict[str, str] = {
    "import_residents": "enrollment:import_result",
    "benefits.import_pensioners": "benefits:pensioner_import_result",
    "supervision.import_suspect_list": "supervision:suspect_import_result",
}

# Jobs that keep an uploaded file (params["stored"]): kind -> the permission needed to download it
# again from the job page (org:jobrun_file). Refused uploads are deleted when the job fails.
JOB_FILE_PERMISSIONS: dict[str, str] = {
    "import_residents": "enrollment.import_persons",
    "benefits.import_pensioners": "benefits.import_pensioners",
    "benefits.payroll_close": "benefits.close_payroll",
}

# 9. The project's own settings ------------------------------------------------------------------
PAGE_SIZE = 50
# Sections of the person page contributed by later apps (enrollment imports none of them):
# each dotted path names a function section(request, person) -> {"title", "template", "context"} or None.
PERSON_PAGE_SECTIONS: list[str] = [
    "contributions.views.person_account_section",
    "benefits.sections.person_section",
]
# Demo data: each app contributes a seeder, called in this order by `manage.py seed_demo`.
DEMO_SEEDERS = [
    "linggao_pension.org.demo.seed",
    "enrollment.demo.seed",
    "contributions.demo.seed",
    "benefits.demo.seed",
    "supervision.demo.seed",
]
