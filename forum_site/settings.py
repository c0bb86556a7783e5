"""Settings for the India–Japan SME collaboration platform.

Everything that differs between a laptop, CI and production comes from the environment,
read with django-environ; the defaults serve a laptop demo (SQLite under var/, tasks run
in-process, mail written to var/mail/). Every variable is listed in the README
("Configuration"). The test suite uses `forum_site.test_settings`, which builds on this.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
VAR_DIR = Path(env.str("FORUM_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# With debug off and no key, SECRET_KEY stays empty: Django refuses it the moment anything
# signs or serves (sessions, tokens, CSRF) and `check --deploy` reports it, while commands
# that need no key (makemigrations, migrate, collectstatic) still run on a fresh clone.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Where the site is reachable; used to build absolute links in emails and calendar feeds.
SITE_URL = env.str("FORUM_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

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
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "csp",
    # Ours, lower layers first: an app only depends on those above it.
    "forum_site",
    "members",
    "events",
    "events.delegations",
    "events.invitations",
    "members.messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF (which reads forms): NUL and other unstorable text is a 400.
    "forum_site.middleware.RejectUnstorableInput",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The person's own language and time zone (their profile) once they are logged in.
    "members.preferences.PersonPreferencesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so the first to see a view's exception: a lost database is a 503 "try again".
    "forum_site.middleware.AnswerTryAgain",
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
                "forum_site.context_processors.site",
                "members.messaging.context_processors.unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'forum.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# A persistent connection (CONN_MAX_AGE > 0) is checked before a request reuses it, so one
# the server dropped while idle (a restart, a failover) is replaced instead of failing.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when configured: throttling must be shared by all processes) ----------
CACHES = {"default": env.cache_url("REDIS_URL", default="locmemcache://")}
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="forum")

# --- Accounts (django-allauth) --------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:account"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_REDIRECT_URL = "events:home"
ACCOUNT_ADAPTER = "members.accounts.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Japan–India SME Platform] "
# Failed logins per client address and per account (username or email): allauth counts
# them in the cache (Redis when REDIS_URL is set, so every process shares the count).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE", default="10/m/ip,5/5m/key"),
}
# Two-factor authentication: TOTP apps, with recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Japan–India SME Platform"

# --- Client addresses behind proxies ---------------------------------------------------
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (the
# default): the header is ignored and the connection's address is the client's, so a
# client cannot escape a throttle by sending a header. Set it to the number of proxies
# you run (e.g. 1 behind one nginx); throttles then take the address that proxy saw.
FORUM_TRUSTED_PROXIES = env.int("FORUM_TRUSTED_PROXIES", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = FORUM_TRUSTED_PROXIES

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS: list = []  # each app keeps its catalogue in <app>/locale/
# Dates and times per language (forum_site/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["forum_site.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
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

# --- Email ----------------------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:port; implicit TLS with smtps:// or smtp+ssl://,
# STARTTLS with smtp+tls:// or ?starttls=1. Unset: every message is written as an .eml
# file under var/mail/, which any mail program opens.
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Japan–India SME Platform <noreply@sme-forum.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = env.str("EMAIL_URL", default="")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
if EMAIL_URL:
    scheme, _sep, rest = EMAIL_URL.partition("://")
    if scheme not in {"smtp", "smtps", "smtp+tls", "smtp+ssl"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtps://, smtp+tls:// or smtp+ssl://, "
            f"got {EMAIL_URL!r}"
        )
    # Documented before django-environ was used: smtps:// is implicit TLS (port 465),
    # where django-environ reads it as STARTTLS; ?starttls=1 asks for STARTTLS.
    _email = env.email_url_config(f"smtp+ssl://{rest}" if scheme == "smtps" else EMAIL_URL)
    _options = _email.pop("OPTIONS", {})
    if str(_options.pop("STARTTLS", "0")).lower() in {"1", "true", "yes"}:
        _email["EMAIL_USE_TLS"] = True
    _email["EMAIL_PORT"] = _email["EMAIL_PORT"] or (465 if _email.get("EMAIL_USE_SSL") else 25)
    _email["EMAIL_HOST"] = _email["EMAIL_HOST"] or "localhost"
    _email.pop("EMAIL_FILE_PATH", None)
    globals().update(_email)
else:
    EMAIL_BACKEND = "forum_site.mail.EmlFileBackend"

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
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
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=900)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redis restarting must not end a worker: it reconnects, at start-up and later, for as
# long as the broker is away (docs/operations.md). Publishing (after a commit) retries
# briefly too; what it still cannot enqueue, the invitations sweeper re-enqueues.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Tasks running when the broker goes away finish their work (the database records what
# was sent); cancelling them could kill a send between the server's 250 and its mark.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TIMEZONE = "UTC"
# Run exactly one beat. Task names are stable interfaces (see each app's tasks.py).
CELERY_BEAT_SCHEDULE = {
    "members.send_message_digests": {
        "task": "members.send_message_digests",
        "schedule": crontab(minute="*"),
    },
    "events.sweep_invitations": {"task": "events.sweep_invitations", "schedule": crontab()},
    "events.sweep_registration_emails": {
        "task": "events.sweep_registration_emails",
        "schedule": crontab(),
    },
    "events.send_invitation_reminders": {
        "task": "events.send_invitation_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "events.send_event_reminders": {
        "task": "events.send_event_reminders",
        "schedule": crontab(minute="*/15"),
    },
}

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous requests a 401, not a 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "forum_site.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON no deeper than 32 levels and no unstorable text (NUL): forum_site/parsers.py.
    "DEFAULT_PARSER_CLASSES": [
        "forum_site.parsers.JSONParser",
        "forum_site.parsers.FormParser",
        "forum_site.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "forum_site.api.Pagination",
    "PAGE_SIZE": 50,
    # Documents the errors every route can give (forum_site/schema.py).
    "DEFAULT_SCHEMA_CLASS": "forum_site.schema.AutoSchema",
    "EXCEPTION_HANDLER": "forum_site.api.exception_handler",
    # Scoped rates (throttles count in the cache: Redis when REDIS_URL is set).
    "DEFAULT_THROTTLE_RATES": {
        # Attempts at POST /api/v1/auth/token/ per client.
        "auth": env.str("API_AUTH_RATE", default="20/min"),
        # Accept/decline through the API (anonymous, by token), per client.
        "invitation_response": env.str("INVITATION_RESPONSE_RATE", default="30/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Client addresses for throttling: see FORUM_TRUSTED_PROXIES.
    "NUM_PROXIES": FORUM_TRUSTED_PROXIES,
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
        "EventKindEnum": "events.models.EventKind",
        "EventStatusEnum": "events.models.EventStatus",
        "EventVisibilityEnum": "events.models.EventVisibility",
        "RegistrationStatusEnum": "events.models.RegistrationStatus",
        "InvitationStatusEnum": "events.invitations.models.InvitationStatus",
        "DelegationStatusEnum": "events.delegations.models.DelegationStatus",
        "DelegationDirectionEnum": "events.delegations.models.DelegationDirection",
        "DelegationApplicationStatusEnum": "events.delegations.models.ApplicationStatus",
        "ScheduleVersionStatusEnum": "events.delegations.models.VersionStatus",
        "ScheduleSolverStatusEnum": "events.delegations.models.SolverStatus",
        "MeetingPriorityEnum": "events.delegations.models.MeetingPriority",
        "ItineraryItemKindEnum": [("meeting", "meeting"), ("activity", "activity")],
        "ItineraryRoleEnum": [("delegate", "delegate"), ("host", "host")],
        "DelegationDecisionEnum": "events.delegations.api.serializers.DECISION_CHOICES",
    },
}

# --- Security headers -----------------------------------------------------------------
# Content-Security-Policy (django-csp): everything from our own origin, no inline script or
# style (the portal, the admin and the Swagger UI work under it; /api/redoc/ relaxes styles,
# see forum_site/urls.py). X-Content-Type-Options: nosniff (Django's default); the referrer
# is sent only within the site ("same-origin"), which keeps the Origin header that CSRF
# checks (a no-referrer policy makes browsers post "Origin: null").
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
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Production hardening (DEBUG off) --------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Log that tasks run in-process when no broker is configured (forum_site/apps.py).
FORUM_LOG_EAGER_TASKS = True

# --- Row locks (forum_site/locking.py) -------------------------------------------------
# How long a transaction waits for a contended row lock (an event's seats, a delegation's
# places) before the request is answered 503 "try again" (PostgreSQL's lock_timeout).
FORUM_LOCK_TIMEOUT = env.str("FORUM_LOCK_TIMEOUT", default="5s")

# --- Messaging between members (members/messaging/, docs/messaging.md) -----------------
# Messages a person may post (start a conversation or reply), in DRF's rate syntax.
MESSAGING_RATE = env.str("MESSAGING_RATE", default="60/min")
# A sender may edit a message for this long after posting it.
MESSAGING_EDIT_WINDOW_MINUTES = env.int("MESSAGING_EDIT_WINDOW_MINUTES", default=15)
# A message unread for this long is emailed in a digest (one per conversation per run).
MESSAGING_DIGEST_DELAY_MINUTES = env.int("MESSAGING_DIGEST_DELAY_MINUTES", default=10)
# An open thread page asks for new messages this often (milliseconds; a 304 when none).
MESSAGING_POLL_MS = env.int("MESSAGING_POLL_MS", default=10000)
# How often an open page asks whether its header's unread count changed (0: never).
MESSAGING_BADGE_POLL_MS = env.int("MESSAGING_BADGE_POLL_MS", default=30000)

# --- Invitations and reminders (events/invitations/, docs/invitations.md) --------------
# Reminders to unanswered invitees: at most this many, this many hours apart, before the
# invitation expires.
INVITATION_MAX_REMINDERS = env.int("INVITATION_MAX_REMINDERS", default=2)
INVITATION_REMINDER_INTERVAL_HOURS = env.int("INVITATION_REMINDER_INTERVAL_HOURS", default=72)
# An invitation expires at the event's registration close (or its start), at the latest
# this many days after it was created or resent.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=60)
# Invitations sent per task (over one SMTP connection).
INVITATION_SEND_BATCH = env.int("INVITATION_SEND_BATCH", default=50)
# A worker's claim on the invitations it is sending; renewed while it works, taken over by
# the sweeper when it lapses (a worker killed mid-batch). Keep it well under the visibility
# timeout and over EMAIL_TIMEOUT.
INVITATION_LEASE_SECONDS = env.int("INVITATION_LEASE_SECONDS", default=300)
# Pending invitations whose send task has not claimed them after this long are re-enqueued.
INVITATION_SWEEP_GRACE_SECONDS = env.int("INVITATION_SWEEP_GRACE_SECONDS", default=60)
# Registration emails (confirmed, waitlisted, promoted) not sent this long after the change
# are enqueued again by the sweeper, for changes of at most the window's age (older ones,
# say imported, are never mailed late) and events not yet started; a run takes the batch.
REGISTRATION_SWEEP_GRACE_SECONDS = env.int("REGISTRATION_SWEEP_GRACE_SECONDS", default=120)
REGISTRATION_SWEEP_WINDOW_HOURS = env.int("REGISTRATION_SWEEP_WINDOW_HOURS", default=48)
REGISTRATION_SWEEP_BATCH = env.int("REGISTRATION_SWEEP_BATCH", default=500)
REGISTRATION_SWEEP_EVERY_MINUTES = env.int("REGISTRATION_SWEEP_EVERY_MINUTES", default=15)
# Transient SMTP errors: retried up to this many attempts, waiting base × 2^(n-1) seconds
# (at most an hour) between them; the sweeper picks up due retries, no countdown is used.
INVITATION_MAX_ATTEMPTS = env.int("INVITATION_MAX_ATTEMPTS", default=8)
INVITATION_RETRY_BASE_SECONDS = env.int("INVITATION_RETRY_BASE_SECONDS", default=60)
# Confirmed registrants are reminded once, this many hours before the event.
EVENT_REMINDER_HOURS = env.int("EVENT_REMINDER_HOURS", default=24)

# --- Delegations (events/delegations/, docs/delegations.md) ----------------------------
# Seconds the scheduler may spend on one schedule version, and its worker threads.
DELEGATION_SCHEDULER_TIME_LIMIT = env.int("DELEGATION_SCHEDULER_TIME_LIMIT", default=30)
DELEGATION_SCHEDULER_WORKERS = env.int("DELEGATION_SCHEDULER_WORKERS", default=2)
# Without a broker (`make run`), a schedule version is solved in a thread of the web
# process, so that staff can follow its progress and stop it as with a worker.
DELEGATION_SCHEDULER_THREAD = env.bool("DELEGATION_SCHEDULER_THREAD", default=not CELERY_BROKER_URL)
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
