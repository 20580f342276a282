"""Zvonok settings: one module, configured from the environment (django-environ).

Every knob an operator may turn is read from an environment variable; the README's
configuration table lists them. Secrets have no production default.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from interviews.links.hosts import DEFAULT_ALLOWED_HOSTS

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (`make run` writes one; operators may keep theirs) fills in what the
# environment does not set. ZVONOK_ENV_FILE names another file, or none when empty: the
# test suite sets it empty (tests/settings.py), so that nobody's .env changes its results.
ENV_FILE = os.environ.get("ZVONOK_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set the DJANGO_SECRET_KEY environment variable "
            "(it is required when DJANGO_DEBUG is off)."
        )
    # Development only: a key that is obviously not a secret.
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First: its templates override the admin's (admin/base_site.html, admin/app_list.html).
    "interviews",
    "interviews.apps.ZvonokAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "interviews.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads the body (sessions, CSRF, forms).
    "interviews.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the audit history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers locked-out logins before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zvonok.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Searched before the apps: overrides of the admin's own templates, each extending
        # the original (see interviews.admin.cases).
        "DIRS": [BASE_DIR / "zvonok" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "zvonok.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Each request in one transaction: an admin save that fails halfway leaves nothing behind.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# SQLite builds the covering indexes without their INCLUDE columns (models.W040): true,
# and harmless for the local demo, which would otherwise print it on every command.
# PostgreSQL, which production runs on, builds them whole.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ru")
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "interviews" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Uploaded files (answer uploads waiting between preview and confirm): the local MEDIA_ROOT,
# or S3-compatible object storage when ZVONOK_S3_BUCKET is set, so that several web and
# worker machines see the same files (django-storages; credentials from the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables or the machine's role).
ZVONOK_S3_BUCKET = env.str("ZVONOK_S3_BUCKET", default="")
_DEFAULT_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ZVONOK_S3_BUCKET,
            "endpoint_url": env.str("ZVONOK_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ZVONOK_S3_REGION", default="") or None,
            "location": env.str("ZVONOK_S3_PREFIX", default=""),
            # Files are private: nobody reads an upload through a public URL.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if ZVONOK_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        # Hashed, compressed files in production; plain files while developing so that
        # runserver works before collectstatic.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Security. On by default when DEBUG is off; a deployment behind a TLS-terminating proxy
# that already redirects can turn the redirect off, and HSTS can be tuned.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The health check is probed over plain HTTP by the container runtime and load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# The admin is the whole UI: a login whose next= is missing or points off-site lands on its
# index (Django's default, /accounts/profile/, does not exist here).
LOGIN_REDIRECT_URL = "admin:index"

# Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is refused (HTTP 429) for AXES_COOLOFF_TIME hours, even with
# the right password; other addresses and other users are unaffected.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading roles and permissions in fewer queries.
    "interviews.backends.RoleBackend",
]
AXES_FAILURE_LIMIT = env.int("ZVONOK_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("ZVONOK_LOGIN_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind a proxy: the request.META key holding the client address (interviews.middleware).
ZVONOK_CLIENT_IP_HEADER = env.str("ZVONOK_CLIENT_IP_HEADER", default="")
AXES_CLIENT_IP_CALLABLE = "interviews.middleware.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes announces itself at INFO in every process, every management command
        # included; its warnings (lockouts) still come through.
        "axes.apps": {"level": "WARNING"},
    },
}

# Zvonok's own settings.
ZVONOK_IMPORT_MAX_BYTES = env.int("ZVONOK_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
# Band hashes of imported answers, to find copied ones (interviews.copying). Not an option:
# only the import benchmark turns it off, to measure what they cost.
ZVONOK_COPY_FINGERPRINTS = True

# Answer sheets downloaded from links (interviews.links): https only, the repository hosts
# only, public addresses only, unless the operator says otherwise. "*" allows any host
# (addresses are still checked).
ZVONOK_FETCH_ALLOW_HTTP = env.bool("ZVONOK_FETCH_ALLOW_HTTP", default=False)
ZVONOK_FETCH_ALLOWED_HOSTS = env.list(
    "ZVONOK_FETCH_ALLOWED_HOSTS",
    default=list(DEFAULT_ALLOWED_HOSTS),
)
ZVONOK_FETCH_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "ZVONOK_FETCH_ALLOW_PRIVATE_ADDRESSES", default=False
)
ZVONOK_FETCH_TIMEOUT = env.float("ZVONOK_FETCH_TIMEOUT", default=10.0)
# Tokens for private repositories, sent only to their own host's domains.
ZVONOK_FETCH_GITHUB_TOKEN = env.str("ZVONOK_FETCH_GITHUB_TOKEN", default="")
ZVONOK_FETCH_GITLAB_TOKEN = env.str("ZVONOK_FETCH_GITLAB_TOKEN", default="")

# E-mail (feedback reminders). EMAIL_URL picks the backend by scheme: smtp://, smtp+tls://,
# smtp+ssl://, consolemail://, filemail://, memorymail://, dummymail:// (django-environ).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="zvonok@localhost")
# Scheme and host that links in e-mails point at (no path: reverse() adds the prefix).
ZVONOK_BASE_URL = env.str("ZVONOK_BASE_URL", default="http://127.0.0.1:8000")

# Uploads in the admin ("Import answers", interviews.uploads). Files wait between preview
# and confirm in default_storage under MEDIA_ROOT/uploads/ (shared by every web process;
# swap the storage for S3 when there are several hosts). MEDIA_ROOT is never served.
# One file's limit is ZVONOK_IMPORT_MAX_BYTES, inside archives too.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
ZVONOK_UPLOAD_MAX_FILES = env.int("ZVONOK_UPLOAD_MAX_FILES", default=200)
ZVONOK_UPLOAD_MAX_ZIP_MEMBERS = env.int("ZVONOK_UPLOAD_MAX_ZIP_MEMBERS", default=500)
ZVONOK_UPLOAD_MAX_TOTAL_BYTES = env.int("ZVONOK_UPLOAD_MAX_TOTAL_BYTES", default=50 * 1024 * 1024)
# Parsing one upload's files, in the preview and again on import: the files left when it
# is spent are refused. Each request must end within gunicorn's --timeout (60 s), and the
# database work for the files read comes after: on a busy machine it took as long again.
ZVONOK_UPLOAD_PARSE_SECONDS = env.float("ZVONOK_UPLOAD_PARSE_SECONDS", default=15.0)
# Downloading the links given on the upload page, all together; links left when it is
# spent are refused (the parse time and the database work still come after).
ZVONOK_UPLOAD_FETCH_SECONDS = env.float("ZVONOK_UPLOAD_FETCH_SECONDS", default=20.0)
# Django answers more files than this with a bare 400; above ours, ours explains itself.
DATA_UPLOAD_MAX_NUMBER_FILES = max(100, 2 * ZVONOK_UPLOAD_MAX_FILES)

# Request bodies (interviews.middleware.RequestBodyLimitMiddleware): larger ones are
# refused with 413 before they are read. The default is what Django already allows for a
# form's fields (DATA_UPLOAD_MAX_MEMORY_SIZE), which does not count file parts; the
# answer upload may carry its files' total besides.
ZVONOK_MAX_REQUEST_BYTES = env.int("ZVONOK_MAX_REQUEST_BYTES", default=2_621_440)
ZVONOK_REQUEST_BODY_LIMITS = {
    "admin:interviews_submission_import": ZVONOK_UPLOAD_MAX_TOTAL_BYTES + ZVONOK_MAX_REQUEST_BYTES,
    # A candidate's page takes one answer file.
    "apply": ZVONOK_IMPORT_MAX_BYTES + ZVONOK_MAX_REQUEST_BYTES,
}

# Background work (Django's Tasks API, the django-tasks backport): "immediate" runs each
# task inside the request that queues it, so `make run` needs no worker; "database" keeps
# the queue in the database (django-tasks-db) for `manage.py db_worker` processes on any
# number of machines sharing it.
ZVONOK_TASKS_BACKEND = env.str("ZVONOK_TASKS_BACKEND", default="immediate")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if ZVONOK_TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"ZVONOK_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, "
        f"not {ZVONOK_TASKS_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[ZVONOK_TASKS_BACKEND], "QUEUES": ["default"]}}

# Personal data: candidates inactive for longer than this are due for anonymisation.
ZVONOK_RETENTION_DAYS = env.int("ZVONOK_RETENTION_DAYS", default=365)

# The vacancies' public pages for candidates (interviews.applying): the consent text shown
# next to the checkbox (empty: the built-in one, in the page's language), and how many
# times one address may post their forms in ZVONOK_APPLY_RATE_WINDOW seconds.
ZVONOK_APPLY_CONSENT_TEXT = env.str("ZVONOK_APPLY_CONSENT_TEXT", default="")
ZVONOK_APPLY_RATE_LIMIT = env.int("ZVONOK_APPLY_RATE_LIMIT", default=20)
ZVONOK_APPLY_RATE_WINDOW = env.int("ZVONOK_APPLY_RATE_WINDOW", default=3600)

# A cache every web process shares (the rate limit above counts in it): the database's
# table zvonok_cache (migration 0017 makes it, bin/start again after a switch back from
# Redis: `manage.py createcachetable`), or Redis when REDIS_URL is set (redis://host:6379/0).
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "zvonok_cache"}
    )
}
