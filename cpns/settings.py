"""Settings, read only from the environment (see .env.example).

With nothing set this is the embedded default: a SQLite file, Celery tasks run eagerly in-process,
e-mail to the console. DEBUG is never on unless asked for (the development command asks for it).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
TESTING = envbool("CPNS_TESTING", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Only development and test runs may use a throwaway key.
        SECRET_KEY = "insecure-development-key-never-used-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example), "
            "or run with DEBUG=1 for local development."
        )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty. Set it to the site's host names.")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cpns",
    "materi",
    "soal",
    "ujian",
    "lembaga",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "django_htmx",
    "template_partials",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "cpns.security.permissions_policy_middleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpns.urls"
WSGI_APPLICATION = "cpns.wsgi.application"

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
                "cpns.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        # A health check costs a query on every request; off by default (a broken connection
        # is still dropped after the request that found it broken).
        conn_health_checks=envbool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock instead of failing with "database is locked".
    # WAL lets readers go on while one writes; IMMEDIATE takes the write lock when a transaction
    # begins, because a read-then-write transaction that must upgrade its lock later fails at
    # once instead of waiting (busy_timeout covers only waits that cannot deadlock).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": BASE_DIR / "test-db.sqlite3"}
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if USING_POSTGRES and envbool("DATABASE_PREPARED_STATEMENTS", True):
    # Lets the answer save run as a prepared statement (ujian/services/attempts.py); Django's own
    # cursors bind on the client and never prepare. Turn off behind a pooler that cannot
    # keep prepared statements (PgBouncer before 1.21 in transaction mode).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "cpns.User"
# Axes first: it refuses a locked-out account or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failures an account, and separately
# a client address, is locked for AXES_COOLOFF_MINUTES. A whole exam room behind one NAT address
# shares the address count: raise the limit there rather than turn it off.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_CLIENT_IP_CALLABLE = "cpns.throttle.client_ip"
AXES_USERNAME_FORM_FIELD = "username"  # the log-in forms' field (it holds the e-mail)
AXES_USERNAME_CALLABLE = "cpns.throttle.login_username"
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins need no row each
AXES_VERBOSE = False
# How many reverse proxies in front of the site append to X-Forwarded-For (0: none, use the
# connection's address). Wrong here means either the proxy's address is throttled for everyone
# or a client can choose its own address.
CPNS_PROXY_COUNT = envint("CPNS_PROXY_COUNT", 0)
# Sign-ups and password-reset e-mails per client address per hour (cpns/throttle.py).
CPNS_SIGNUP_LIMIT = envint("CPNS_SIGNUP_LIMIT", 20)
CPNS_PASSWORD_RESET_LIMIT = envint("CPNS_PASSWORD_RESET_LIMIT", 10)
CPNS_THROTTLE_CACHE = "default"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Redis: broker for Celery and the cache. Unset means the embedded default.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With acks_late, a task whose worker was killed stays unacknowledged in Redis until this timeout
# and is then delivered again (kombu's default is an hour: a build or a score stuck that long).
# It must exceed the longest task (a bulk build of 10,000 attempts takes well under a minute).
# kombu looks for such tasks every 10 s but scans only every 10th time (throttle 10): a killed
# worker's build came back 191 s after delivery in the fault campaign. Scan at every look.
BROKER_VISIBILITY_TIMEOUT = envint("CELERY_VISIBILITY_TIMEOUT", 120)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
# An attempt waiting this long on its build or scoring task gets the task again: longer than the
# broker's own redelivery (the visibility timeout plus kombu's 10-s look) and a normal backlog.
CPNS_STALLED_AFTER_SECONDS = envint("CPNS_STALLED_AFTER_SECONDS", BROKER_VISIBILITY_TIMEOUT + 60)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or REDIS_URL or None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "cpns")
CELERY_TIMEZONE = TIME_ZONE
# Periodic tasks (run by `celery -A cpns beat`).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Attempts past their deadline are submitted within a minute, browser or not.
    "expire-overdue-attempts": {
        "task": "ujian.tasks.attempts_expire_overdue_task",
        "schedule": envint("CPNS_EXPIRE_EVERY_SECONDS", 20),
    },
    # A build or scoring task lost on the broker is sent again (ujian/services/recovery.py).
    "resend-stalled-work": {
        "task": "ujian.tasks.attempts_resend_stalled_task",
        "schedule": envint("CPNS_RESEND_EVERY_SECONDS", 30),
    },
    # Item analysis of tryouts that closed since the last run (stored, never computed on a page).
    "tryout-stats-due": {
        "task": "ujian.tasks.tryout_stats_due_task",
        "schedule": envint("CPNS_STATS_EVERY_SECONDS", 600),
    },
}

if REDIS_URL:
    # Sessions are read from Redis and written through to the database, so a Redis outage
    # logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "cpns"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cpns <noreply@localhost>")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not (DEBUG or TESTING))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): everything from this site only, htmx included (served from
# the django-htmx package); no inline scripts or styles. The answer-save shortcut sends the same
# headers (cpns/security.py). With DEBUG on it only reports (the browser console still names every
# violation), because Django's own debug error pages use inline styles and scripts.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
CONTENT_SECURITY_POLICY = None if DEBUG else _CSP
CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP if DEBUG else None
# Subdomain HSTS and preload-listing are a deployment's own decision, off unless asked for.
SILENCED_SYSTEM_CHECKS = [
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]

# The site's public address, for links in e-mails sent outside a request (set-password links).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Largest upload the importers accept (bytes).
CPNS_IMPORT_MAX_BYTES = envint("CPNS_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Imports with more rows than this run as a Celery task with a progress bar.
CPNS_IMPORT_ASYNC_ROWS = envint("CPNS_IMPORT_ASYNC_ROWS", 300)
# Seconds of grace after an attempt's deadline for answers still on the wire.
CPNS_ANSWER_GRACE_SECONDS = envint("CPNS_ANSWER_GRACE_SECONDS", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
