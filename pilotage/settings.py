"""One settings module for every environment, driven by environment variables.

Unset ``DATABASE_URL`` means the embedded SQLite database: what ``make run`` uses on a
laptop. Production sets ``PILOTAGE_ENV=production`` and gets secure cookies, HSTS and a
strict Content-Security-Policy; see docs/deployment.md for every variable.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PILOTAGE_ENV = os.environ.get("PILOTAGE_ENV", "development")
PRODUCTION = PILOTAGE_ENV == "production"
# Off unless asked for (DJANGO_DEBUG=1), in every mode, `make run` included: Django's
# technical 404/500 pages show settings, paths and code to whoever hits an error, and a
# user must only ever see the site's own error pages (pilotage/core/errors.py).
DEBUG = env_bool("DJANGO_DEBUG", default=False)

if PRODUCTION and not os.environ.get("SECRET_KEY"):
    raise RuntimeError("SECRET_KEY must be set when PILOTAGE_ENV=production")
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")  # noqa: S105

# With DEBUG off Django checks the Host header even for `make run`: the default covers
# the addresses runserver listens on there.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "pilotage.core.adminsite.PilotageAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "treebeard",
    "axes",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "pilotage.core",
    "pilotage.orgunits",
    "pilotage.accounts",
    "pilotage.schooling",
    "pilotage.indicators",
    "pilotage.cooperation",
    "pilotage.contact",
    "pilotage.surveys",
    "pilotage.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pilotage.core.dbrouter.ReplicaMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "pilotage.core.middleware.NullCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pilotage.urls"
WSGI_APPLICATION = "pilotage.wsgi.application"
ASGI_APPLICATION = "pilotage.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pilotage.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the job worker write progress while the web server reads it.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A read replica (docs/deployment.md, "Read replica"): dashboards, API reads and exports
# read from it, everything else from the primary (pilotage/core/dbrouter.py).
PILOTAGE_READ_REPLICA = None
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # Tests run against the primary's test database only.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    PILOTAGE_READ_REPLICA = "replica"
DATABASE_ROUTERS = ["pilotage.core.dbrouter.ReplicaRouter"]
PILOTAGE_REPLICA_PATHS = ("/indicators/", "/api/v1/")
PILOTAGE_REPLICA_STICKY_SECONDS = int(os.environ.get("PILOTAGE_REPLICA_STICKY_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_USER_MODEL = "accounts.User"
# The kernel reads a user's role assignments through this function (core/scope.py).
PILOTAGE_GRANTS_LOADER = "pilotage.accounts.scope.grants_of"
PILOTAGE_UNIT_PATH_LOADER = "pilotage.orgunits.selectors.orgunit_path"
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: five wrong passwords for one username from one address lock that
# pair for 30 minutes (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0")) or None

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("ar", _("العربية")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "pilotage" / "locale"]
FORMAT_MODULE_PATH = ["pilotage.formats"]  # Moroccan dates and numbers in every language
TIME_ZONE = os.environ.get("TIME_ZONE", "Africa/Casablanca")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# `make assets` copies the npm packages' built files here (never committed).
STATICFILES_DIRS = [BASE_DIR / "assets"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Whitenoise serves the static files in every mode (runserver's own serving is off, see
# INSTALLED_APPS). Outside production it also finds them in the apps and assets/, as
# runserver did with DEBUG on, so `make run` and a bare runserver work without DEBUG and
# without a fresh collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Report-card batches are written under MEDIA_ROOT for their requester to download; files
# older than this are deleted each time a new batch runs (and by `purge_report_cards`).
REPORT_CARDS_RETENTION_DAYS = int(os.environ.get("REPORT_CARDS_RETENTION_DAYS", "7"))
# Imports (docs/deployment.md, "Limits"): an upload larger than this is refused before it
# is stored; a file is read up to this many rows, cells up to this many characters; an
# XLSX is refused before parsing when its parts declare more than this unpacked, or one
# of them compresses more than this ratio. Uploads go to the "imports" storage of STORAGES
# when there is one, else to the default storage.
PILOTAGE_UPLOAD_MAX_BYTES = int(os.environ.get("PILOTAGE_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
PILOTAGE_IMPORT_MAX_ROWS = int(os.environ.get("PILOTAGE_IMPORT_MAX_ROWS", "2000000"))
PILOTAGE_IMPORT_MAX_CELL_CHARS = int(os.environ.get("PILOTAGE_IMPORT_MAX_CELL_CHARS", "32767"))
PILOTAGE_IMPORT_XLSX_MAX_UNPACKED_BYTES = int(
    os.environ.get("PILOTAGE_IMPORT_XLSX_MAX_UNPACKED_BYTES", str(1024 * 1024 * 1024))
)
PILOTAGE_IMPORT_XLSX_MAX_RATIO = int(os.environ.get("PILOTAGE_IMPORT_XLSX_MAX_RATIO", "100"))
# Aggregate data (indicators/quality/approval.py): when true, custom indicators and the
# DHIS2 export read only values approved at their unit or above; by default every value
# counts as soon as it is entered.
PILOTAGE_HIDE_UNAPPROVED_DATA = env_bool("PILOTAGE_HIDE_UNAPPROVED_DATA", False)

# Security headers. The CSP allows nothing from outside the site: every script, style
# and font is served by whitenoise from our own static files.
# Django's default (2.5 MiB); a body over it is answered 413 (docs/deployment.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", "2621440"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form (most often a page left open past the session) gets the site's 403 page.
CSRF_FAILURE_VIEW = "pilotage.core.errors.csrf_failure"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
CONTENT_SECURITY_POLICY = {
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

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pilotage@localhost")

# IATI: the organisation that publishes the cooperation activities (reporting-org). Activity
# identifiers are "<ref>-<programme code>" and "<ref>-<project code>".
PILOTAGE_IATI_REPORTING_ORG = {
    "ref": os.environ.get("PILOTAGE_IATI_REF", "XX-DEMO-MEN"),
    "type": os.environ.get("PILOTAGE_IATI_TYPE", "10"),
    "name": os.environ.get("PILOTAGE_IATI_NAME", "Ministère de l'Éducation nationale (démo)"),
}
PILOTAGE_IATI_IMPORT_MAX_BYTES = int(
    os.environ.get("PILOTAGE_IATI_IMPORT_MAX_BYTES", str(50 * 1024 * 1024))
)
