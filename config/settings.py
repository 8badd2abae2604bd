"""Tsunagu settings: one module, everything that differs between machines comes from the environment.

Defaults make a newcomer's machine work with nothing installed: a SQLite file in the project and
kombu's filesystem broker. Production sets DJANGO_ENV=production, DATABASE_URL and REDIS_URL.
"""

import secrets
import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("TSUNAGU_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
PRODUCTION = env.str("DJANGO_ENV", default="development") == "production"
DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("TSUNAGU_TESTING", default="pytest" in sys.modules)


def _secret_key() -> str:
    """Production must set SECRET_KEY; development generates one once and keeps it in var/."""
    if "SECRET_KEY" in env:
        return env.str("SECRET_KEY")
    if PRODUCTION:
        raise environ.ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "audit",
    "agencies",
    "cases",
    "access",
    "meetings",
    "outreach",
    "participation",
    "community",
    "notifications",
    "reports",
    "outbox",
    "retention",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "agencies.sessions.SessionMiddleware",  # the idle timeout, written once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "agencies.middleware.SecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "agencies.api_contract.QueryParamsMiddleware",  # API query strings as the schema says
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "agencies.context_processors.shell",
                "access.context_processors.emergency",
            ],
            # `{% url %}` without redoing a URL name's lookups per link (agencies/urlreverse.py);
            # `{% badge label tone %}` for status badges (agencies/templatetags/badge.py).
            "builtins": ["agencies.templatetags.url_tag", "agencies.templatetags.badge"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tsunagu.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A transaction takes the write lock when it begins, so a second writer waits for the first
    # (up to `timeout`). In SQLite's default (deferred) mode a transaction that read first and
    # then wrote while another held the lock failed at once with "database is locked": a double
    # submit, or the worker writing a notification beside a page, answered 500 or lost the write.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # A connection killed by the server (restart, failover, pg_terminate_backend) is replaced
    # before the request uses it, instead of failing the request with a 500.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    # Pages run short index lookups. A parallel plan starts worker processes (~10 ms) to save
    # less than that and takes cores from the other requests; JIT compiles plans whose cost
    # estimate is high but whose run is milliseconds. Both off for the web's connections; the
    # annual report turns parallel workers back on for its own read-only transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        env.str("PG_SESSION_OPTIONS", default="-c max_parallel_workers_per_gather=0 -c jit=off"),
    )
    # Server-side binding: PostgreSQL receives each statement apart from its values, so psycopg
    # prepares a statement once this connection has run it PG_PREPARE_THRESHOLD times, and
    # PostgreSQL stops planning it again (planning was most of a page's database time at city
    # scale: a case page planned for 8 ms and ran for 2.4; benchmarks/RESULTS.md, session 27).
    # PG_PREPARE_THRESHOLD= (empty) turns preparing off, for a pooler in transaction mode.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    _threshold = env.str("PG_PREPARE_THRESHOLD", default="5").strip()
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(_threshold) if _threshold else None
# Prepared statements a connection keeps (agencies/dbconn.py): every page's statements fit.
PG_PREPARED_MAX = env.int("PG_PREPARED_MAX", default=1000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agencies.auth_backend.SessionUserBackend",  # the user and its unread count in one read
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes): N failures per username lock it for a while; the message never tells
# whether the account exists.
AXES_FAILURE_LIMIT = env.int("LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "agencies.api_contract.lockout_response"  # JSON under /api/
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_STR_CALLABLE = "agencies.services_auth.axes_client_str"  # no login IDs in logs
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Two-factor: always for admin and supervisor roles; TSUNAGU_REQUIRE_2FA_ALL for everyone.
REQUIRE_2FA_ALL = env.bool("TSUNAGU_REQUIRE_2FA_ALL", default=False)
OTP_TOTP_ISSUER = "Tsunagu"

# Sessions end after inactivity (default 30 minutes).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ENGINE = "agencies.sessions"  # Django's database sessions, read by a fixed statement
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "agencies.errors.csrf_failure"  # Japanese page, no technical reason
CSRF_COOKIE_HTTPONLY = True  # pages carry the token (hx-headers); no script reads the cookie
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The TLS-terminating proxy should redirect too; this catches a proxy that does not. /healthz
    # stays on plain HTTP for the container health check (it carries no personal data).
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # HSTS is hard to undo: the operator raises it once HTTPS works for every host name.
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns (an error in tests) without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads (scanned consents, attachments) live outside the web root and are served only
# through views that ask the policy.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "private")))
MEDIA_URL = None
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Reports: counts of people below this are suppressed in tables that leave the office; built
# report files are kept this long for the one who asked.
REPORTS_SMALL_CELL_THRESHOLD = env.int("REPORTS_SMALL_CELL_THRESHOLD", default=5)
REPORTS_JOB_KEEP_HOURS = env.int("REPORTS_JOB_KEEP_HOURS", default=24)
DATA_UPLOAD_MAX_MEMORY_SIZE = 15 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if "EMAIL_URL" not in env and not PRODUCTION:
    # Development without a mail server: one file per message under var/mail/, so reminder mail
    # can be read without flooding the terminal of `make run`.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tsunagu@localhost")

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The navigation's entries that need a query to decide (the outreach entry for staff outside an
# outreach agency) are remembered this long per user; the pages themselves always check.
NAV_CACHE_SECONDS = env.int("NAV_CACHE_SECONDS", default=300)
# City-wide dashboard figures (the supervisor's fiscal-year charts) are recomputed at most this often.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)
# The matching page's resource facts are kept per process while the catalogue is unchanged, at
# most this long (participation.selectors_matching.catalogue_facts).
MATCHING_CACHE_SECONDS = env.int("MATCHING_CACHE_SECONDS", default=300)

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport (no server).
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A task taken by a worker that died (acks_late) goes back to the queue after this long.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
else:
    for sub in ("queue", "processed", "control", "results", "state"):
        (CELERY_QUEUE_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "polling_interval": 1.0,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_QUEUE_DIR / 'results'}"
# The beat schedule lives here with Redis too: the folder must exist for `worker -B` / `beat`.
CELERY_QUEUE_DIR.mkdir(parents=True, exist_ok=True)
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_QUEUE_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic tasks go through the outbox (outbox/beat.py), so a beat run while Redis is down is sent
# when it is back instead of being lost.
CELERY_BEAT_SCHEDULER = "outbox.beat:OutboxScheduler"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="celery")
# Test hook for the fault tests: seconds to pause after each reminder rule of a sweep, so that a
# worker can be killed in the middle of one. Always 0 in production.
NOTIFICATIONS_SWEEP_RULE_PAUSE = env.float("TSUNAGU_SWEEP_RULE_PAUSE", default=0.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "agencies.auth_api.OTPTokenAuthentication",  # token auth that respects 2FA
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "agencies.api_contract.ObjectJSONParser",  # a body is a JSON object, else 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "agencies.paging.KeysFirstPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "agencies.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tsunagu API",
    "DESCRIPTION": "重層的支援体制整備事業 case management API (v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No "valid" badge fetched from validator.swagger.io: nothing leaves the network.
    # No deep links: Swagger UI puts them as links inside the button that opens an operation, a
    # control inside a control that keyboards and screen readers cannot use (axe
    # nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Every answer documented (errors, times): agencies/api_contract.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "agencies.api_contract.postprocess_schema",
    ],
    # One component name per choice set: several apps have a "role", a "decision" or a
    # "category" field, and the same set is reused under different field names.
    "ENUM_NAME_OVERRIDES": {
        "PlacementStatusEnum": "participation.choices.PlacementStatus",
        "PlacementRoleEnum": "participation.choices.PlacementRole",
        "PlacementOutcomeEnum": "participation.choices.Outcome",
        "StaffRoleEnum": "agencies.choices.Role",
        "CaseTeamRoleEnum": "cases.models.support.TeamRole",
        "MeetingMemberRoleEnum": "meetings.choices.MemberRole",
        "IssueCategoryEnum": "cases.choices.IssueCategory",
        "EvaluationDecisionEnum": "cases.models.sheets.Evaluation.Decision",
        "MeetingDecisionKindEnum": "meetings.choices.DecisionKind",
        "AgendaKindEnum": "meetings.choices.AgendaKind",
        "InfoKindEnum": "cases.choices.InfoKind",
        "ReferralStatusEnum": "cases.models.intake.Referral.Status",
        "CaseStatusEnum": "cases.models.support.SupportCase.Status",
        "NoteKindEnum": "cases.models.notes.ActivityNote.Kind",
        "OutreachContactKindEnum": "outreach.models.ContactKind",
        "OutreachOutcomeEnum": "outreach.models.Outcome",
        "OutreachCounterpartEnum": "outreach.models.Counterpart",
        "OutreachSourceEnum": "outreach.models.Source",
        "OutreachStageEnum": "outreach.models.Stage",
        "OutreachClosureReasonEnum": "outreach.models.ClosureReason",
        "CaseClosureReasonEnum": "cases.choices.ClosureReason",
        "OutreachProfessionalEnum": "outreach.models.Professional",
    },
}

# Municipal closure days added to the national holidays (MM-DD), e.g. 12/29–1/3.
TSUNAGU_CLOSURE_DAYS = env.list(
    "TSUNAGU_CLOSURE_DAYS", default=["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"]
)
TSUNAGU_CITY_NAME = env.str("TSUNAGU_CITY_NAME", default="みどり市")
# Absolute address of the site, used in e-mail links (reminders, digests, password set-up).
TSUNAGU_BASE_URL = env.str(
    "TSUNAGU_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
)

# Application logs carry ids and actions, never names or free text about a person.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Query strings (a person search by name) never reach a log line: runserver's request log
    # is filtered here, gunicorn's access log format omits them (Dockerfile).
    "filters": {"no_query_string": {"()": "config.logfilters.StripQueryString"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_query_string"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # runserver's request log, through the filtered console handler instead of Django's own.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Subsetting a PDF's fonts logs the glyphs it keeps at INFO: the characters of the
        # document, a person's name among them.
        "fontTools": {"level": "WARNING"},
    },
}

# Lockout is per username on purpose: a municipal office shares one outgoing IP, and locking it
# would lock every colleague out.
# models.W040: the grant indexes carry the columns the access rule tests (index-only scans on
# PostgreSQL); SQLite, the embedded default, builds them without those columns — same answers.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]

# Demo data: one password for every demo login, the same on every machine (README lists them).
DEMO_PASSWORD = "Tsunagu-Demo-2026"
