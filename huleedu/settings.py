"""Settings for HuleEdu, read from the environment.

Two shapes, chosen by the environment alone:

* Embedded (default): SQLite, an in-memory channel layer and tasks run in-process,
  so ``python manage.py serve`` is the whole product in one command.
* Production / scale-out: ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (Redis as the
  channel layer and the django-q2 broker), any number of daphne and qcluster processes.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from huleedu import envconfig

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key-change-me-in-production")
ALLOWED_HOSTS = [
    h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "channels",
    "django_q",
    "huleedu",
    "classroster",
    "batches",
    "essays",
    "matching",
]

MIDDLEWARE = [
    "huleedu.metrics.HttpMetricsMiddleware",  # first: times the whole stack
    "huleedu.middleware.CorrelationIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "huleedu.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "huleedu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# daphne serves HTTP on long-lived threads in two lanes per process (huleedu/asgi.py,
# huleedu/lanes.py): WEB_THREADS for decisions, polls and everything short, WEB_BULK_THREADS
# for uploads, essay lists, accept-alls and class set-up (0: one pool for every request). Each
# thread keeps its database connection for DATABASE_CONN_MAX_AGE seconds, so a process holds
# at most WEB_THREADS + WEB_BULK_THREADS connections for requests.
WEB_THREADS = env_int("HULEEDU_WEB_THREADS", 6)
WEB_BULK_THREADS = env_int("HULEEDU_WEB_BULK_THREADS", 2)
# How long (ms) a request thread may keep the GIL while another wants it. Python's 5 ms suits
# long computations; here a decision waits for the GIL after each of its SQL round trips, and
# a busy neighbour (an upload, an essay list) would make it wait up to 5 ms each time.
WEB_GIL_SWITCH_INTERVAL_MS = env_int("HULEEDU_WEB_GIL_SWITCH_MS", 1)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded server writes from several threads; wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 60},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Follow-up work runs in django-q2 tasks. Without Redis (embedded) the ORM is the broker and
# tasks run inline right after the commit that asked for them, in the same process as the
# channel layer, so live push keeps working with no external server.
TASKS_INLINE = env_bool("HULEEDU_TASKS_INLINE", not REDIS_URL)
TASK_TIMEOUT_SECONDS = env_int("HULEEDU_TASK_TIMEOUT_SECONDS", 120)
Q_CLUSTER: dict = {
    "name": "huleedu",
    "workers": env_int("HULEEDU_QCLUSTER_WORKERS", 2),
    "timeout": TASK_TIMEOUT_SECONDS,
    # retry must exceed timeout, or a slow task is handed out again while still running.
    "retry": TASK_TIMEOUT_SECONDS + 60,
    "max_attempts": 5,
    "ack_failures": True,
    "catch_up": False,
    # Don't store successful tasks: with a positive limit django-q2 locks and prunes the whole
    # success table after every task, which serialises all workers. Failures are still kept.
    "save_limit": -1,
    "label": "Task queue",
    "sync": TASKS_INLINE,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

AUTH_PASSWORD_VALIDATORS: list[dict] = []

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Set for production deployments that run collectstatic; unset, files come from the apps.
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
# Serve static files straight from the apps: no collectstatic step for the one-command run.
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a bad token is then a 401 with WWW-Authenticate, not a bare 403.
        "huleedu.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "huleedu.errors.api_exception_handler",
    # JSON everywhere; the two file endpoints (essay upload, roster import) take multipart.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HuleEdu Phase 1 API",
    "DESCRIPTION": "Batch registration, essay upload, student matching and validation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "huleedu.schema.add_error_responses",
    ],
}

# Product limits -------------------------------------------------------------------------
MAX_ESSAYS_PER_BATCH = env_int("HULEEDU_MAX_ESSAYS_PER_BATCH", 100)
MAX_UPLOAD_FILE_BYTES = env_int("HULEEDU_MAX_UPLOAD_FILE_BYTES", 10 * 1024 * 1024)
MAX_UPLOAD_REQUEST_BYTES = env_int("HULEEDU_MAX_UPLOAD_REQUEST_BYTES", 100 * 1024 * 1024)
MAX_ROSTER_CSV_BYTES = env_int("HULEEDU_MAX_ROSTER_CSV_BYTES", 2 * 1024 * 1024)
MAX_ROSTER_SIZE = env_int("HULEEDU_MAX_ROSTER_SIZE", 500)
# The design's names (ELS_*, CLASS_MGMT_*, BOS_*, NLP_*) are read too: huleedu/envconfig.py.
VALIDATION_TIMEOUT_SECONDS = envconfig.validation_timeout_seconds(os.environ)
VALIDATION_CHECK_INTERVAL_MINUTES = envconfig.validation_check_interval_minutes(os.environ)
# What the deadline does with undecided essays: high_only, best_match or none (a batch may
# choose its own at registration).
TIMEOUT_STRATEGY = envconfig.timeout_strategy(os.environ)
# The global kill switch of automatic student matching (per-class rollout: matching/rollout.py).
STUDENT_MATCHING_ENABLED = envconfig.read_bool(os.environ, "BOS_STUDENT_MATCHING_ENABLED", True)
# A suggestion below this confidence is not kept (unset: the engine's own floor applies).
MATCH_MIN_SUGGESTION_CONFIDENCE = envconfig.unit_threshold(
    os.environ, "NLP_EXTRACTION_CONFIDENCE_THRESHOLD", None)
# Read and checked, but they change nothing: the engine has no similarity-ratio step (README).
MATCH_NAME_FUZZY_THRESHOLD = envconfig.unit_threshold(os.environ, "NLP_MATCH_NAME_FUZZY_THRESHOLD", None)
MATCH_EMAIL_FUZZY_THRESHOLD = envconfig.unit_threshold(os.environ, "NLP_MATCH_EMAIL_FUZZY_THRESHOLD", None)
# Attempts of the matching job before the batch goes to validation without suggestions.
MATCHING_MAX_ATTEMPTS = env_int("HULEEDU_MATCHING_MAX_ATTEMPTS", 3)
# Committed events older than this that are still undelivered are handed out again.
OUTBOX_RELAY_GRACE_SECONDS = env_int("HULEEDU_OUTBOX_RELAY_GRACE_SECONDS", 120)
OUTBOX_MAX_DELIVERY_ATTEMPTS = env_int("HULEEDU_OUTBOX_MAX_DELIVERY_ATTEMPTS", 10)

# Uploads are streamed to disk past 2.5 MB; JSON bodies are capped well below that.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HULEEDU_MAX_JSON_BODY_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = MAX_ESSAYS_PER_BATCH

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "huleedu.logging.CorrelationIdFilter"}},
    "formatters": {"json": {"()": "huleedu.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["correlation"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("HULEEDU_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django-q": {"level": "ERROR"},
    },
}
