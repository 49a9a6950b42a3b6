"""Settings for HuleEdu, read from the environment.

Two shapes, chosen by the environment alone:

* Embedded (default): SQLite, an in-memory channel layer and tasks run in-process,
  so ``python manage.py serve`` is the whole product in one command.
* Production / scale-out: ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (Redis as the
  channel layer and the django-q2 broker), any number of daphne and qcluster processes.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# The embedded default is the one-command product on a SQLite file; anything else (PostgreSQL)
# is a deployment, and a deployment must bring its own secret key.
EMBEDDED = DATABASE_URL.startswith("sqlite")
# Keys that were ever published with this code: never accepted outside DEBUG.
PUBLIC_SECRET_KEYS = frozenset({"insecure-development-key-change-me-in-production"})
SECRET_KEY_FROM_ENV = os.environ.get("DJANGO_SECRET_KEY", "")


def _embedded_secret_key(database_url: str) -> str:
    """A random key made once per embedded installation and kept beside its SQLite file, so
    sessions survive a restart and no two installations share a key."""
    name = str(dj_database_url.parse(database_url)["NAME"] or BASE_DIR / "db.sqlite3")
    key = secrets.token_urlsafe(64)
    if name == ":memory:":  # nothing outlives the process anyway
        return key
    db_path = Path(name)
    key_file = db_path.parent / f"{db_path.name}.secret-key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or just now by a process starting beside this one
        for _ in range(100):  # that process may not have written it yet
            existing = key_file.read_text().strip()
            if existing:
                return existing
            time.sleep(0.01)
        raise ImproperlyConfigured(f"{key_file} is empty: delete it to make a new key.") from None
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


if SECRET_KEY_FROM_ENV and SECRET_KEY_FROM_ENV not in PUBLIC_SECRET_KEYS:
    SECRET_KEY = SECRET_KEY_FROM_ENV
elif DEBUG:
    SECRET_KEY = "insecure-development-key-change-me-in-production"
elif EMBEDDED:
    SECRET_KEY = _embedded_secret_key(DATABASE_URL)
else:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is missing or is a published development key. Production mode "
        "(DJANGO_DEBUG off, DATABASE_URL set) needs a long random key of its own, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# HTTPS. Off by default because the embedded server speaks plain HTTP on loopback; a deployment
# behind TLS turns each on from the environment (``check --deploy`` names any left off).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
# Load balancers probe and Prometheus scrapes over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
# "HTTP_X_FORWARDED_PROTO,https": trust the TLS-terminating proxy's header (and only set it
# when that proxy always overwrites the header).
_proxy_ssl_header = env_list("DJANGO_SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if len(_proxy_ssl_header) == 2 else None

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
    "drf_spectacular_sidecar",
    "channels",
    "django_q",
    "huleedu",
    "outbox",
    "accounts",
    "classroster",
    "batches",
    "essays",
    "matching",
]

MIDDLEWARE = [
    "huleedu.metrics.HttpMetricsMiddleware",  # first: times the whole stack
    "huleedu.middleware.CorrelationIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
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
WSGI_APPLICATION = "huleedu.wsgi.application"
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

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Django's psycopg pool, for an ASGI server that runs each request on a new thread (which
# would otherwise open a connection per request). gunicorn's threads keep theirs; the
# benchmark's daphne-for-HTTP comparison sets it (docs/operations.md, "Serving HTTP").
if env_int("DATABASE_POOL_MAX_SIZE", 0) > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 0),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded server writes from several threads; wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # It serves through Django's ASGI handler, which runs each request on a thread of its own:
    # a connection kept past the request would outlive its thread.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
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

AUTH_PASSWORD_VALIDATORS: list[dict] = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("HULEEDU_MIN_PASSWORD_LENGTH", 10)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The cache holds the login and token throttles' counters: in Redis when there is one, so every
# daphne process of every machine counts the same attempts.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "huleedu",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Password guessing: attempts to sign in (login page, admin login, token endpoint) are counted
# per client address and username, and per client address alone; past either rate the client
# gets 429 with Retry-After before any password is hashed. "N/15m" means N per 15 minutes.
LOGIN_RATE_PER_USERNAME = os.environ.get("HULEEDU_LOGIN_RATE_PER_USERNAME", "10/15m")
LOGIN_RATE_PER_ADDRESS = os.environ.get("HULEEDU_LOGIN_RATE_PER_ADDRESS", "30/5m")
# How many proxies in front of daphne append to X-Forwarded-For (0: use the peer address).
NUM_PROXIES = env_int("HULEEDU_NUM_PROXIES", 0) or None

# A live socket re-checks its session this often (it is closed at once on logout anyway).
SOCKET_SESSION_CHECK_SECONDS = env_int("HULEEDU_SOCKET_SESSION_CHECK_SECONDS", 60)

# API tokens expire this long after they were issued; a password change revokes them.
TOKEN_LIFETIME_SECONDS = env_int("HULEEDU_TOKEN_LIFETIME_SECONDS", 30 * 24 * 60 * 60)

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

# Uploaded originals (the teacher opens an essay's file from the review page): Django's
# storage API. Local disk under MEDIA_ROOT by default; an S3-compatible bucket with
# HULEEDU_STORAGE_S3_BUCKET (django-storages; docs/operations.md). Never served as static
# files: only the batch owner's request reads them, through the app.
MEDIA_ROOT = os.environ.get("HULEEDU_MEDIA_ROOT") or str(BASE_DIR / "media")
_S3_BUCKET = os.environ.get("HULEEDU_STORAGE_S3_BUCKET", "")
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": _S3_BUCKET,
            "endpoint_url": os.environ.get("HULEEDU_STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("HULEEDU_STORAGE_S3_REGION") or None,
            "location": os.environ.get("HULEEDU_STORAGE_S3_PREFIX", ""),
            "default_acl": None,  # the bucket's own (private) policy
            "querystring_auth": True,
            "file_overwrite": False,
        }}
        if _S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a bad token is then a 401 with WWW-Authenticate, not a bare 403.
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        # Staff read everything; they change others' objects only with the model permission.
        "huleedu.permissions.StaffWritesNeedChangePermission",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "huleedu.errors.api_exception_handler",
    # JSON everywhere (nesting bounded); the two file endpoints take multipart.
    "DEFAULT_PARSER_CLASSES": ["huleedu.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_RATES": {
        "login_username": LOGIN_RATE_PER_USERNAME,
        "login_address": LOGIN_RATE_PER_ADDRESS,
    },
    "NUM_PROXIES": NUM_PROXIES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HuleEdu Phase 1 API",
    "DESCRIPTION": "Batch registration, essay upload, student matching and validation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from this server (pinned drf-spectacular-sidecar), not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "huleedu.schema.add_error_responses",
    ],
}

# JSON request bodies nested deeper than this are refused (400) before they are parsed.
MAX_JSON_DEPTH = env_int("HULEEDU_MAX_JSON_DEPTH", 32)

# Content-Security-Policy: scripts, styles, images and connections from this origin only (the
# live page's WebSocket too); no inline script anywhere, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Swagger UI's stylesheet draws its icons as data: SVGs.
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
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
