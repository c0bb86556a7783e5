"""Settings for the India–Japan SME collaboration platform.

Everything that differs between a laptop, CI and production comes from the environment;
the defaults serve a laptop demo (SQLite under var/, tasks run in-process, mail written
to var/mail/). Every variable is listed in the README ("Configuration").
"""

import logging
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FORUM_VAR_DIR", BASE_DIR / "var"))

log = logging.getLogger("forum_site")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# pytest imports these settings itself; a test run must work without any variable set.
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DJANGO_DEBUG", default=False)

# With debug off and no key, SECRET_KEY stays empty: Django refuses it the moment anything
# signs or serves (sessions, tokens, CSRF) and `check --deploy` reports it, while commands
# that need no key (makemigrations, migrate, collectstatic) still run on a fresh clone.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG or TESTING else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Where the site is reachable; used to build absolute links in emails and calendar feeds.
SITE_URL = os.environ.get("FORUM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "forum_site",
    "members",
    "events",
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
]

ROOT_URLCONF = "forum_site.urls"
WSGI_APPLICATION = "forum_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "forum_site" / "templates"],
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

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'forum.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when configured: throttling and locks must be shared by all processes) --
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "forum"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
if TESTING:
    # Hashing with the production hasher costs ~0.5 s per user on this hardware; tests
    # create hundreds of users and are not about password strength.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ----------------------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:port (smtps:// for implicit TLS, ?starttls=1 for
# STARTTLS). Unset: every message is written as an .eml file under var/mail/, which any
# mail program opens.
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Japan–India SME Platform <noreply@sme-forum.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = os.environ.get("EMAIL_URL", "")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
if EMAIL_URL:
    _email = urlsplit(EMAIL_URL)
    if _email.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp:// or smtps://, got {EMAIL_URL!r}"
        )
    _email_query = parse_qs(_email.query)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email_query.get("starttls", ["0"])[0] in {"1", "true", "yes"}
else:
    EMAIL_BACKEND = "forum_site.mail.EmlFileBackend"

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# Without a broker, tasks run in-process so `make run` needs no services.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it finished, so a worker killed mid-task does not lose
# it: the broker redelivers it. Tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
# A worker process that dies (OOM, kill -9) makes its task go back to the queue instead of
# being acknowledged as failed.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Each worker process reserves one message at a time: a slow mail server must not let one
# process hoard messages that idle processes could send, and a crash strands at most one.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged message after this many seconds. It must be longer
# than any task runs (the scheduler's time limit included) and than any countdown we use;
# we never schedule far ahead with ETA (periodic tasks pick up `due_at` rows instead).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 900)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous requests a 401, not a 403.
        # DRF's token authentication in one prepared query (forum_site/authentication.py).
        "forum_site.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "forum_site.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "forum_site.api.exception_handler",
    # Scoped rates (throttles count in the cache: Redis when REDIS_URL is set).
    "DEFAULT_THROTTLE_RATES": {"auth": os.environ.get("API_AUTH_RATE", "20/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Japan–India SME Platform API",
    "DESCRIPTION": (
        "REST API of the Japan–India SME Forum, the India–Japan SME Business Council and the "
        "Startup Hub: organisations, memberships, events, delegations and messaging. "
        "Authenticate with a session or with `Authorization: Token <key>` "
        "(obtain the key from `POST /api/v1/auth/token/`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Group operations by resource (organisations, events, …) rather than under one "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several models have a `kind` or a `status`: give each choice set its own name.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "members.models.OrganisationKind",
        "RegionKindEnum": "members.models.RegionKind",
        "MembershipStatusEnum": "members.models.MembershipStatus",
        "EventKindEnum": "events.models.events.EventKind",
        "EventStatusEnum": "events.models.events.EventStatus",
        "EventVisibilityEnum": "events.models.events.EventVisibility",
        "RegistrationStatusEnum": "events.models.events.RegistrationStatus",
    },
}

# --- Production hardening (DEBUG off) --------------------------------------------------
if not DEBUG and not TESTING:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Messaging between members (members/messaging_*.py, docs/messaging.md) -------------
# Messages a person may post (start a conversation or reply), per DRF rate syntax.
MESSAGING_RATE = os.environ.get("MESSAGING_RATE", "60/min")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["messages"] = MESSAGING_RATE
# A sender may edit a message for this long after posting it.
MESSAGING_EDIT_WINDOW_MINUTES = env_int("MESSAGING_EDIT_WINDOW_MINUTES", 15)
# A message unread for this long is emailed in a digest (one per conversation per run).
MESSAGING_DIGEST_DELAY_MINUTES = env_int("MESSAGING_DIGEST_DELAY_MINUTES", 10)
CELERY_BEAT_SCHEDULE["members.send_message_digests"] = {
    "task": "members.send_message_digests",
    "schedule": crontab(minute="*"),
}

# --- Invitations and reminders (events/invitation_*.py, docs/invitations.md) -------------
# Reminders to unanswered invitees: at most this many, this many hours apart, before the
# invitation expires.
INVITATION_MAX_REMINDERS = env_int("INVITATION_MAX_REMINDERS", 2)
INVITATION_REMINDER_INTERVAL_HOURS = env_int("INVITATION_REMINDER_INTERVAL_HOURS", 72)
# An invitation expires at the event's registration close (or its start), at the latest
# this many days after it was created or resent.
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 60)
# Invitations sent per task (over one SMTP connection).
INVITATION_SEND_BATCH = env_int("INVITATION_SEND_BATCH", 50)
# A worker's claim on the invitations it is sending; renewed while it works, taken over by
# the sweeper when it lapses (a worker killed mid-batch). Keep it well under the visibility
# timeout and over EMAIL_TIMEOUT.
INVITATION_LEASE_SECONDS = env_int("INVITATION_LEASE_SECONDS", 300)
# Pending invitations whose send task has not claimed them after this long are re-enqueued.
INVITATION_SWEEP_GRACE_SECONDS = env_int("INVITATION_SWEEP_GRACE_SECONDS", 60)
# Transient SMTP errors: retried up to this many attempts, waiting base × 2^(n-1) seconds
# (at most an hour) between them; the sweeper picks up due retries, no countdown is used.
INVITATION_MAX_ATTEMPTS = env_int("INVITATION_MAX_ATTEMPTS", 8)
INVITATION_RETRY_BASE_SECONDS = env_int("INVITATION_RETRY_BASE_SECONDS", 60)
# Accept/decline through the API (anonymous, by token), per client IP.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["invitation_response"] = os.environ.get(
    "INVITATION_RESPONSE_RATE", "30/min"
)
# Confirmed registrants are reminded once, this many hours before the event.
EVENT_REMINDER_HOURS = env_int("EVENT_REMINDER_HOURS", 24)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["InvitationStatusEnum"] = (
    "events.models.invitations.InvitationStatus"
)
CELERY_BEAT_SCHEDULE["events.sweep_invitations"] = {
    "task": "events.sweep_invitations",
    "schedule": crontab(minute="*"),
}
CELERY_BEAT_SCHEDULE["events.send_invitation_reminders"] = {
    "task": "events.send_invitation_reminders",
    "schedule": crontab(minute="*/15"),
}
CELERY_BEAT_SCHEDULE["events.send_event_reminders"] = {
    "task": "events.send_event_reminders",
    "schedule": crontab(minute="*/15"),
}

# --- Delegations (events/delegation_*.py, docs/delegations.md) -------------------------
# Seconds the scheduler may spend on one schedule version, and its CP-SAT worker threads.
DELEGATION_SCHEDULER_TIME_LIMIT = env_int("DELEGATION_SCHEDULER_TIME_LIMIT", 30)
DELEGATION_SCHEDULER_WORKERS = env_int("DELEGATION_SCHEDULER_WORKERS", 2)
if (
    not 0
    < DELEGATION_SCHEDULER_TIME_LIMIT
    < min(CELERY_VISIBILITY_TIMEOUT, CELERY_TASK_SOFT_TIME_LIMIT)
):
    raise ImproperlyConfigured(
        "DELEGATION_SCHEDULER_TIME_LIMIT must be positive and shorter than "
        "CELERY_VISIBILITY_TIMEOUT and the task soft time limit, or the broker would "
        "redeliver a schedule task that is still running."
    )
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "DelegationStatusEnum": "events.models.delegations.DelegationStatus",
        "DelegationDirectionEnum": "events.models.delegations.DelegationDirection",
        "DelegationApplicationStatusEnum": "events.models.delegations.ApplicationStatus",
        "ScheduleVersionStatusEnum": "events.models.delegations.VersionStatus",
        "ScheduleSolverStatusEnum": "events.models.delegations.SolverStatus",
        "MeetingPriorityEnum": "events.models.delegations.MeetingPriority",
        "ItineraryItemKindEnum": [("meeting", "meeting"), ("activity", "activity")],
        "ItineraryRoleEnum": [("delegate", "delegate"), ("host", "host")],
        "DelegationDecisionEnum": "events.api.delegation_serializers.DECISION_CHOICES",
    }
)
