"""Settings, read from the environment.

Development defaults let ``make run`` work on a fresh machine with SQLite. With ``SONGPAN_ENV=production``
the project refuses to start unless a secret key, allowed hosts, a real database and the field-encryption key
are given: see ``_require_production_settings`` below and the README.
"""

import datetime as dt
import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from songpan.cache import REDIS_TIMEOUT, redis_cache_settings

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = os.environ.get("SONGPAN_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"SONGPAN_ENV must be development, test or production, not {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Only used outside production; production refuses to start without its own key.
_DEVELOPMENT_SECRET_KEY = "django-insecure-songpan-development-only-key-do-not-use-in-production"  # noqa: S105
# A fixed development key for national ID numbers, so that a re-run of ``make run`` can still read the data it
# seeded. Production must set SONGPAN_FIELD_KEY (32 bytes, urlsafe base64); see accounts/crypto.py.
_DEVELOPMENT_FIELD_KEY = "c29uZ3Bhbi1kZXZlbG9wbWVudC1maWVsZC1rZXktMDE="  # noqa: S105

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "" if PRODUCTION else _DEVELOPMENT_SECRET_KEY)
DEBUG = os.environ.get("DJANGO_DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
FIELD_ENCRYPTION_KEY = os.environ.get("SONGPAN_FIELD_KEY", "" if PRODUCTION else _DEVELOPMENT_FIELD_KEY)

_database_url = os.environ.get("DATABASE_URL", "")
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    if _database_url
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
}
# PostgreSQL connections: a pool per process (Django's, psycopg_pool) instead of one connection per thread kept for
# a minute, which piled up under a threaded server. A gunicorn worker runs GUNICORN_THREADS threads, each holding at
# most one connection during a request: the pool holds up to that many (SONGPAN_DB_POOL_MAX_SIZE), so PostgreSQL
# sees at most workers x threads connections from the web. A request that finds the pool empty waits
# SONGPAN_DB_POOL_TIMEOUT seconds (3) for one, then answers 503 with Retry-After (songpan.middleware).
# SONGPAN_DB_POOL=0 turns the pool off (one connection per request, closed after it).
SONGPAN_DB_POOL_MAX_SIZE = int(os.environ.get("SONGPAN_DB_POOL_MAX_SIZE", os.environ.get("GUNICORN_THREADS", "4")))
SONGPAN_DB_POOL_TIMEOUT = float(os.environ.get("SONGPAN_DB_POOL_TIMEOUT", "3"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The registry's queries are short; PostgreSQL's JIT spent 20 ms compiling a 30 ms count (BENCHMARKS.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not keep them as well
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    if os.environ.get("SONGPAN_DB_POOL", "1") == "1":
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": SONGPAN_DB_POOL_MAX_SIZE,
            "timeout": SONGPAN_DB_POOL_TIMEOUT,
            "max_idle": 300,  # seconds before an idle connection beyond min_size is closed
        }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a management command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )


def _require_production_settings() -> None:
    missing = []
    if not SECRET_KEY or SECRET_KEY == _DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        missing.append("DJANGO_SECRET_KEY (at least 50 characters)")
    if not ALLOWED_HOSTS:
        missing.append("DJANGO_ALLOWED_HOSTS")
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("DATABASE_URL pointing at PostgreSQL")
    if not FIELD_ENCRYPTION_KEY or FIELD_ENCRYPTION_KEY == _DEVELOPMENT_FIELD_KEY:
        missing.append("SONGPAN_FIELD_KEY")
    if DEBUG:
        missing.append("DJANGO_DEBUG=0")
    if missing:
        raise ImproperlyConfigured("Production mode refuses to start without: " + ", ".join(missing))


if PRODUCTION:
    _require_production_settings()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "divisions",
    "households",
    "cadres",
    "ledgers",
    "grievances",
    "teams",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, before anything else reads the database or the session.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so that it sees every response: no-store on the API and on every page for a signed-in user.
    "songpan.middleware.NoStoreMiddleware",
    # No database connection in time (pool exhausted, database down) is 503 with Retry-After, never 500.
    "songpan.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: an expired session is ended here and the sign-in page says why.
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in (web or API) into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "songpan.urls"
WSGI_APPLICATION = "songpan.wsgi.application"

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
                "songpan.navigation.navigation",
            ],
        },
    },
]

LANGUAGE_CODE = "zh-hans"
# Each language is named in itself, as language choosers do.
LANGUAGES = [("zh-hans", "简体中文"), ("bo", "བོད་ཡིག"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The Tibetan web font comes from the npm registry at install time (package.json, `make install`), never a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("fonts/noto-serif-tibetan", BASE_DIR / "node_modules" / "@fontsource" / "noto-serif-tibetan" / "files"),
]
# Served by WhiteNoise (no separate web server needed); outside DEBUG with hashed, compressed names and far-future
# cache headers, which needs `manage.py collectstatic` (make run and make serve do it) before the server starts.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Sign-in, sessions and API tokens (issue 3, "Login security"; see accounts/sessions.py) ----------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout: 5 failed sign-ins (wrong password, or a missing or wrong authenticator code) by one username from one
# address lock that pair for 30 minutes, on the web sign-in and the API token endpoint alike. Attempts refused
# during the lockout do not extend it. The response (429 with Retry-After) is built in accounts.auth_views.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.auth_views.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "accounts.audit.request_address"  # the same address the access log records
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp", "otp_token"]

# Sessions: ended after 30 minutes without a request and 12 hours after sign-in at most
# (accounts.middleware.SessionLifetimeMiddleware); the cookie dies with the browser.
SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=int(os.environ.get("SONGPAN_SESSION_IDLE_MINUTES", "30")))
SESSION_ABSOLUTE_TIMEOUT = dt.timedelta(hours=int(os.environ.get("SONGPAN_SESSION_MAX_HOURS", "12")))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True  # forms carry the token; no script reads the cookie
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION

# Two-factor sign-in (django-otp): required for the county leader and county office roles (accounts.two_factor).
OTP_TOTP_ISSUER = "Songpan"

# API tokens (django-rest-knox): stored as SHA-512 digests, one per device of a user (accounts.ApiToken),
# expiring after SONGPAN_API_TOKEN_TTL_DAYS (30 by default), revocable.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=int(os.environ.get("SONGPAN_API_TOKEN_TTL_DAYS", "30"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# DRF: token first, so that an unauthenticated request gets 401 with ``WWW-Authenticate: Token``.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("SONGPAN_API_RATE_ANON", "60/minute"),
        "user": os.environ.get("SONGPAN_API_RATE_USER", "1200/minute"),
        # POSTs to the token endpoint per address, on top of the per-user lockout (password spraying).
        "auth_token": os.environ.get("SONGPAN_API_RATE_TOKEN", "30/minute"),
    },
    # Throttles identify a client by REMOTE_ADDR, or by the hop our own proxy adds to X-Forwarded-For (never by
    # what the client writes there).
    "NUM_PROXIES": 1 if os.environ.get("SONGPAN_USE_X_FORWARDED_FOR", "0") == "1" else 0,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "songpan.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "SEARCH_PARAM": "q",
    "EXCEPTION_HANDLER": "songpan.api.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["songpan.api.parsers.DepthLimitedJSONParser"],  # refuses deep nesting (issue 10)
    "DATE_FORMAT": "%Y-%m-%d",
    "COERCE_DECIMAL_TO_STRING": False,
}

# OpenAPI 3 schema at /api/schema/, docs at /api/docs/ from assets served by this site (no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": "Songpan mass-work API",
    "DESCRIPTION": "The REST contract of shared/API.md, version 1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Two models have a "status" and two a "kind": name their enums apart in the schema.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "songpan.api.schema.add_shared_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "HouseholdStatusEnum": "households.models.HouseholdStatus",
        "IncomeKindEnum": "households.models.IncomeKind",
    },
}

# Throttle counts live in the cache: give production a shared one (Redis) so that every process counts together.
# While Redis is unreachable the cache falls back to per-process memory and logs a warning (songpan/cache.py);
# SONGPAN_REDIS_TIMEOUT (seconds, default 0.5) bounds each connection attempt and command, cache and broker alike.
_cache_url = os.environ.get("SONGPAN_CACHE_URL", "")
CACHES = {
    "default": redis_cache_settings(_cache_url)
    if _cache_url
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "songpan"}
}

# --- Response headers ---------------------------------------------------------------------------------------
# Content Security Policy: no inline script or style anywhere; templates link static files only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# History rows are shown in the admin but never reverted (see songpan/history_admin.py).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Audit --------------------------------------------------------------------------------------------------
# Access-log rows are kept at least 180 days (the purge refuses less; the PostgreSQL trigger enforces it too).
ACCESS_LOG_MINIMUM_RETENTION_DAYS = 180
ACCESS_LOG_RETENTION_DAYS = int(os.environ.get("SONGPAN_ACCESS_LOG_RETENTION_DAYS", "365"))
if ACCESS_LOG_RETENTION_DAYS < ACCESS_LOG_MINIMUM_RETENTION_DAYS:
    raise ImproperlyConfigured("SONGPAN_ACCESS_LOG_RETENTION_DAYS must be at least 180")
# Trust X-Forwarded-For for the client address only behind our own reverse proxy.
USE_X_FORWARDED_FOR = os.environ.get("SONGPAN_USE_X_FORWARDED_FOR", "0") == "1"

# --- Celery -----------------------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A broker that is down must not hold a web request: short timeouts, one quick retry when publishing, and
# songpan.celery.enqueue logs a task it could not send instead of failing the request.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT * 4
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT * 4,
    "socket_timeout": REDIS_TIMEOUT * 4,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_TIMEOUT * 4
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_TIMEOUT * 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started before Redis waits for it
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING below, which masks ID numbers

# --- Domain settings -------------------------------------------------------------------------------------
# The county this deployment serves (its division code); demo data and dashboards start here.
SONGPAN_COUNTY_CODE = os.environ.get("SONGPAN_COUNTY_CODE", "513224")

# How many households a cadre of each rank may carry as primary pairings. Override with a JSON object in
# SONGPAN_PAIRING_LIMITS, e.g. '{"county_leader": 3, "village_cadre": 20}'; unnamed ranks keep these values.
PAIRING_LIMITS = {"county_leader": 5, "section_level": 8, "ordinary": 10, "village_cadre": 15}
try:
    PAIRING_LIMITS.update(
        {str(k): int(v) for k, v in json.loads(os.environ.get("SONGPAN_PAIRING_LIMITS", "{}")).items()}
    )
except (ValueError, AttributeError) as exc:
    raise ImproperlyConfigured("SONGPAN_PAIRING_LIMITS must be a JSON object of rank -> integer") from exc

# Case reference numbers: a prefix per county code ("SP-2026-000123"); other counties get "C<code>".
SONGPAN_CASE_PREFIXES = {"513224": "SP"}
try:
    SONGPAN_CASE_PREFIXES.update(json.loads(os.environ.get("SONGPAN_CASE_PREFIXES", "{}")))
except (ValueError, TypeError) as exc:
    raise ImproperlyConfigured("SONGPAN_CASE_PREFIXES must be a JSON object of county code -> prefix") from exc

# The sync feed (docs/SYNC.md, "Commit order" and "Cursors"): how far back the cursor that ends a walk is
# held, how long an open writing transaction may hold it further back, how old a cursor may be before a full sync.
SONGPAN_SYNC_SETTLE_SECONDS = float(os.environ.get("SONGPAN_SYNC_SETTLE_SECONDS", "10"))
SONGPAN_SYNC_MAX_HOLD_SECONDS = float(os.environ.get("SONGPAN_SYNC_MAX_HOLD_SECONDS", "3600"))
SONGPAN_SYNC_CURSOR_MAX_AGE_DAYS = float(os.environ.get("SONGPAN_SYNC_CURSOR_MAX_AGE_DAYS", "90"))

# The overdue sweep (grievances.tasks.sweep_overdue_cases), run by Celery beat every day at this hour (local time).
SONGPAN_OVERDUE_SWEEP_HOUR = int(os.environ.get("SONGPAN_OVERDUE_SWEEP_HOUR", "6"))
CELERY_BEAT_SCHEDULE = {
    "sweep-overdue-cases": {
        "task": "grievances.tasks.sweep_overdue_cases",
        "schedule": crontab(hour=SONGPAN_OVERDUE_SWEEP_HOUR, minute=15),
    },
    # Nightly housekeeping (local time): the access log past its retention, expired sessions, expired API tokens.
    "purge-access-log": {
        "task": "accounts.tasks.purge_access_log",
        "schedule": crontab(hour=3, minute=30),
    },
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=40),
    },
    # Beat's pulse: /healthz reads when beat last sent a task (django-celery-beat's records), and this one is sent
    # every minute.
    "heartbeat": {"task": "songpan.heartbeat", "schedule": 60.0},
    "delete-expired-api-tokens": {
        "task": "accounts.tasks.delete_expired_api_tokens",
        "schedule": crontab(hour=3, minute=50),
    },
    # Roll-ups (reports.tasks, local time): each computes the period that ended yesterday; the current periods
    # are refreshed every night.
    "rollup-weekly-summary": {
        "task": "reports.tasks.rollup_just_ended",
        "schedule": crontab(day_of_week=1, hour=1, minute=0),
        "args": ("week",),
    },
    "rollup-monthly-collection": {
        "task": "reports.tasks.rollup_just_ended",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
        "args": ("month",),
    },
    "rollup-quarterly-review": {
        "task": "reports.tasks.rollup_just_ended",
        "schedule": crontab(month_of_year="1,4,7,10", day_of_month=1, hour=3, minute=0),
        "args": ("quarter",),
    },
    "rollup-current-periods": {
        "task": "reports.tasks.rollup_current",
        "schedule": crontab(hour=4, minute=10),
    },
}

# /healthz answers 503 when one of these checks fails (database, cache, broker, beat). By default only the
# database: the site serves without Redis (degraded) and a load balancer should keep it.
SONGPAN_HEALTHZ_REQUIRED = _env_list("SONGPAN_HEALTHZ_REQUIRED", "database")
# Beat is "stale" on /healthz when it has sent no task for this long (it sends the heartbeat every minute and
# records it within three).
SONGPAN_HEALTHZ_BEAT_STALE_MINUTES = int(os.environ.get("SONGPAN_HEALTHZ_BEAT_STALE_MINUTES", "10"))

# Every handler masks ID-number-like sequences (songpan/logfilters.py): a number typed into the admin's search or
# a URL never reaches a log. gunicorn's own logs are configured the same way in gunicorn.conf.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_id_numbers": {"()": "songpan.logfilters.MaskIdNumbers"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_id_numbers"]},
        # The dev server's request lines (manage.py runserver), as Django prints them.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_id_numbers"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's defaults (a console handler only under DEBUG, and mail to ADMINS): the root's only.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # django-axes announces itself at INFO on every start; its failure and lockout lines are WARNING.
        "axes": {"level": os.environ.get("AXES_LOG_LEVEL", "WARNING")},
    },
}
