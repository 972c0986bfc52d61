"""IHF settings: one file, read from the environment through django-environ.

DATABASE_URL selects the database. In development (DEBUG) it may be unset, and then importing these settings
starts IHF's embedded PostgreSQL (pgserver) with its data in `.pgdata/`; outside DEBUG it is required, so that
a production process never starts a database of its own. PostgreSQL is the only database IHF supports.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# No default outside DEBUG: a production deployment must bring its own key.
SECRET_KEY = env("SECRET_KEY", default="ihf-development-only-not-a-secret") if DEBUG else env("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
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
    "django_htmx",
    "ninja",
    "django.contrib.postgres",
    "procrastinate.contrib.django",
    "ihf",
    "hubs",
    "feedback",
    "governance",
    "outcomes",
    "observability",
    "assist",
    "surveys",
    "learning",
    "reporting",
    "wiring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hubs.fastpath.ApiCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ihf.toasts.HtmxToastsMiddleware",
]

ROOT_URLCONF = "wiring.urls"
WSGI_APPLICATION = "wiring.wsgi.application"

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
                "django.template.context_processors.csp",
                "feedback.context_processors.inbox",
            ],
        },
    },
]


DATABASE_URL_REQUIRED = (
    "DATABASE_URL: required outside DEBUG (e.g. postgres://ihf@db.example.com:5432/ihf); only development "
    "(DEBUG=1) falls back to the embedded PostgreSQL"
)


def _database_url() -> str:
    url = env("DATABASE_URL", default="")
    if url:
        return url
    if not DEBUG:
        raise ImproperlyConfigured(DATABASE_URL_REQUIRED)
    from ihf import embedded_db

    url = embedded_db.start(keep_running=False)
    embedded_db.ensure_database(url)
    return url


def _prepare_threshold(value: str) -> int | None:
    """psycopg's prepare_threshold: after how many executions a statement is prepared; None never."""
    if value.strip().lower() in ("off", "none", ""):
        return None
    try:
        threshold = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"DB_PREPARE_THRESHOLD: {value!r} is neither a number nor 'off'") from None
    if threshold < 0:
        raise ImproperlyConfigured(f"DB_PREPARE_THRESHOLD: {value!r} is negative")
    return threshold


def _session_options(options: str, jit: bool, random_page_cost: float, parallel_workers: int) -> str:
    """libpq's `options` with the planner settings below, after any options the URL gave (the last -c of a
    name wins)."""
    return (
        f"{options} -c jit={'on' if jit else 'off'} -c random_page_cost={random_page_cost}"
        f" -c max_parallel_workers_per_gather={parallel_workers}"
    ).strip()


def _database_config(url: str) -> dict:
    """Django's settings for a libpq URL. libpq's own parser, not a generic URL one, so that a socket
    directory in the host part (the embedded server's) works however long its path is."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": params.pop("dbname", "ihf"),
        "USER": params.pop("user", ""),
        "PASSWORD": params.pop("password", ""),
        "HOST": params.pop("host", ""),
        "PORT": params.pop("port", ""),
        # Server-side parameters and a prepare threshold let psycopg prepare the statements a connection
        # repeats (the single-event INSERT above all), so PostgreSQL skips parsing and planning them on
        # every request: over a quarter of its CPU per single-event INSERT (docs/scaling.md). Django
        # leaves the threshold unset, which never prepares; DB_PREPARE_THRESHOLD=off is for a
        # transaction-pooling PgBouncer older than 1.21, which cannot carry prepared statements.
        # JIT off for the web and the workers (DB_JIT=on gives PostgreSQL's default back): a page's
        # statements read a few thousand rows through indexes, but joins over big tables push the planner's
        # cost estimate past jit_above_cost, and compiling then costs more than the query (issue 21: the hub
        # list spent 369 of its 800 ms compiling). The set-based functions already run with jit = off.
        # random_page_cost 1.1 (DB_RANDOM_PAGE_COST; PostgreSQL's default 4 is for spinning disks): the
        # pages' tables are in memory or on SSDs, and at 4 the planner sorted a busy hub's 6,000 candidates
        # rather than read them in order by an index (the board's columns: 13 → 5 ms). No parallel workers
        # per query (DB_PARALLEL_WORKERS): a page reads a few thousand rows, where starting workers costs
        # more than it saves, and two requests' workers would compete for the same cores (the board sorted
        # by severity: 22 → 17 ms). Sent as startup options; a pooler that refuses them (PgBouncer without
        # ignore_startup_parameters = options) needs `ALTER ROLE ihf_app SET …` for each instead.
        "OPTIONS": {
            "server_side_binding": env.bool("DB_SERVER_SIDE_BINDING", default=True),
            "prepare_threshold": _prepare_threshold(env.str("DB_PREPARE_THRESHOLD", default="5")),
            **params,
            "options": _session_options(
                params.get("options", ""),
                env.bool("DB_JIT", default=False),
                env.float("DB_RANDOM_PAGE_COST", default=1.1),
                env.int("DB_PARALLEL_WORKERS", default=0),
            ),
        },
        "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
        # A health check is a SELECT 1 before every request's first query: a third round trip on the
        # ingestion hot path. Without it, a connection broken by a database restart fails one request and
        # is then replaced.
        "CONN_HEALTH_CHECKS": env.bool("DB_CONN_HEALTH_CHECKS", default=False),
    }


DATABASES = {"default": _database_config(_database_url())}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "ihf.User"
AUTHENTICATION_BACKENDS = ["ihf.auth.LockoutBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "hubs:list"
LOGOUT_REDIRECT_URL = "login"
# Sign-in (ihf/auth.py says how these fit together). Consecutive failed logins after which an account locks
# until an admin unlocks it (browsers that signed in to it before still may: ihf/devices.py).
IHF_LOGIN_MAX_FAILURES = env.int("IHF_LOGIN_MAX_FAILURES", default=5)
# Sign-in attempts one client address (an IPv6 /64) may make per window; the rest answer 429 unhashed.
IHF_LOGIN_ATTEMPTS_PER_ADDRESS = env.int("IHF_LOGIN_ATTEMPTS_PER_ADDRESS", default=20)
IHF_LOGIN_THROTTLE_SECONDS = env.int("IHF_LOGIN_THROTTLE_SECONDS", default=15 * 60)
# Reverse proxies in front of IHF that append the client's address to X-Forwarded-For; 0 believes none.
IHF_TRUSTED_PROXIES = env.int("IHF_TRUSTED_PROXIES", default=0)
IHF_TRUSTED_DEVICE_DAYS = env.int("IHF_TRUSTED_DEVICE_DAYS", default=90)
# Every refused sign-in answers this many seconds after it began; at most IHF_LOGIN_DELAYED_AT_ONCE wait so
# in each process (12 of gunicorn.conf.py's 16 threads), the others answer at once.
IHF_LOGIN_FAILURE_DELAY = env.float("IHF_LOGIN_FAILURE_DELAY", default=1.0)
IHF_LOGIN_DELAYED_AT_ONCE = env.int("IHF_LOGIN_DELAYED_AT_ONCE", default=12)
# Argon2id at OWASP's minimum (ihf/hashers.py): ~30 ms of CPU per sign-in instead of PBKDF2's ~0.5 s. The
# others verify older hashes, which are rewritten with the first at the next successful sign-in.
PASSWORD_HASHERS = [
    "ihf.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Each process hashes on one thread (ihf/hashers.py) that may spend IHF_PASSWORD_HASH_BURST seconds of CPU at
# once and IHF_PASSWORD_HASH_SHARE of a core in the long run (0: no limit), at a nice value above the request
# threads' 0 (Linux; 0 turns it off). At ~30 ms a hash: ~10 sign-ins at once, then ~1.7 a second per process.
IHF_PASSWORD_HASH_SHARE = env.float("IHF_PASSWORD_HASH_SHARE", default=0.05)
IHF_PASSWORD_HASH_BURST = env.float("IHF_PASSWORD_HASH_BURST", default=0.3)
IHF_PASSWORD_HASH_NICE = env.int("IHF_PASSWORD_HASH_NICE", default=10)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# IHF speaks English only. Without the translation machinery every date, "3 days old" and form message is
# cheaper to draw (the board of a busy hub: 24 → 20 ms of rendering; issue 21).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    # HTTPS only: plain HTTP is redirected, and browsers are told for a year to use nothing else (HSTS),
    # subdomains included. The liveness probe stays reachable over plain HTTP for a load balancer.
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is a promise about the whole domain that only its owner can
        # make, and is slow to take back: IHF leaves it to them (SECURE_HSTS_PRELOAD=1), and so does not
        # warn that it is off.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Behind IHF_TRUSTED_PROXIES reverse proxies, the one in front terminates TLS and says so in
# X-Forwarded-Proto; without a proxy the header is a client's say-so and is ignored.
if IHF_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every page (Django's ContentSecurityPolicyMiddleware): scripts from IHF's own
# origin, and inline ones only with the response's nonce (`{% htmx_script %}` adds it); styles from IHF's
# own origin only, so templates carry no style attribute (tests/ihf/test_headers.py checks) and htmx is
# told not to add its indicator styles (base.html); charts read their data from json_script. No plugins, no
# <base>, no framing, forms post only to IHF. The JSON API goes without (hubs/fastpath.py says why).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Django 6.1 mailers. In development mail goes to the console; in production set MAILER_BACKEND and
# MAILER_OPTIONS (JSON, e.g. {"host": "smtp.example.com", "port": 587, "use_tls": true}).
MAILERS = {
    "default": {
        "BACKEND": env(
            "MAILER_BACKEND",
            default=f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend",
        ),
        "OPTIONS": env.json("MAILER_OPTIONS", default={}),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="IHF <ihf@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # procrastinate announces every task it registers at INFO; the worker (bin/ihf run) turns this up again.
    "loggers": {"procrastinate": {"level": env("PROCRASTINATE_LOG_LEVEL", default="WARNING")}},
}

# Notifications (feedback app).
IHF_BASE_URL = env("IHF_BASE_URL", default="http://127.0.0.1:8000")
IHF_NOTIFICATION_LINK_MAX_AGE = env.int("IHF_NOTIFICATION_LINK_MAX_AGE", default=14 * 24 * 3600)
IHF_NOTIFICATIONS_PER_HOUR = env.int("IHF_NOTIFICATIONS_PER_HOUR", default=30)
IHF_NOTIFICATION_REPEAT_MINUTES = env.int("IHF_NOTIFICATION_REPEAT_MINUTES", default=60)
IHF_WEBHOOK_TIMEOUT = env.int("IHF_WEBHOOK_TIMEOUT", default=10)
# Webhooks may reach loopback, private and link-local addresses: for development against a local receiver
# only (ihf/egress.py); off, a webhook URL must resolve to public addresses, when saved and when sent.
IHF_WEBHOOK_ALLOW_PRIVATE = env.bool("IHF_WEBHOOK_ALLOW_PRIVATE", default=False)

# Outcomes: an `improved` signal followed within this many days by a high or critical annotation on the same
# widget is a regression.
IHF_REGRESSION_WINDOW_DAYS = env.int("IHF_REGRESSION_WINDOW_DAYS", default=14)
# How often each dashboard panel refreshes itself.
IHF_DASHBOARD_REFRESH_SECONDS = env.int("IHF_DASHBOARD_REFRESH_SECONDS", default=30)

# Public API (hubs app).
IHF_INGEST_MAX_AGE_DAYS = env.int("IHF_INGEST_MAX_AGE_DAYS", default=30)
IHF_INGEST_MAX_BODY_BYTES = env.int("IHF_INGEST_MAX_BODY_BYTES", default=2 * 1024 * 1024)
IHF_API_RATE_LIMIT_PER_MINUTE = env.int("IHF_API_RATE_LIMIT_PER_MINUTE", default=6000)
# How often each web process writes its count of a key's requests and rereads the key (hubs/keys.py): also
# how long a key revoked or changed in another process may still be accepted by this one.
IHF_API_KEY_SYNC_SECONDS = env.float("IHF_API_KEY_SYNC_SECONDS", default=1.0)
# Revocations and limit changes reach every process at once through LISTEN/NOTIFY (hubs/key_listener.py): one
# extra connection per web process. Off, they take up to IHF_API_KEY_SYNC_SECONDS.
IHF_API_KEY_NOTIFY = env.bool("IHF_API_KEY_NOTIFY", default=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = IHF_INGEST_MAX_BODY_BYTES + 1024

# Observability (docs/metrics.md): the friction formula's weights, its colour bands, the hub health
# deduction table ([points each, cap]) and the propagation heuristics. One place, so they can be tuned.
IHF_FRICTION_WEIGHTS = {
    "window_days": 30,
    "severity": {"low": 1, "medium": 3, "high": 6, "critical": 10},
    "error_log": 5,
    "regression": 20,
    "stale_candidate": 5,
    "stale_days": 30,
}
IHF_FRICTION_BANDS = {"yellow": 20, "amber": 40, "red": 70}
IHF_HEALTH_RULES = {
    "open_candidate": [2, 20],
    "regressed_widget": [10, 30],
    "stale_decision": [5, 20],
    "active_bottleneck": [3, 15],
    "high_friction_widget": [1, 15],
    "high_friction_score": IHF_FRICTION_BANDS["red"],
}
IHF_PROPAGATION = {"window_days": 14, "min_shared_words": 3, "max_word_frequency": 200}
# Phase 12 (docs/metrics.md, "Learning"): the history each recompute reads, the least evidence for a
# calibration or an insight, and how soon after a deployment a regression counts for an insight.
IHF_LEARNING = {"window_days": 180, "min_samples": 5, "min_deployments": 3, "insight_days": 14}
IHF_LEARNING_REFRESH_SECONDS = env.int("IHF_LEARNING_REFRESH_SECONDS", default=60)
IHF_REVIEW_REFRESH_SECONDS = env.int("IHF_REVIEW_REFRESH_SECONDS", default=30)

# Phase 5: an optional OpenAI-compatible chat endpoint (e.g. https://host/v1) that may write summaries and
# requirement drafts. Off unless IHF_AI_URL is set; the local method answers whenever it fails
# (assist/remote.py).
IHF_AI_URL = env("IHF_AI_URL", default="")
IHF_AI_MODEL = env("IHF_AI_MODEL", default="")
IHF_AI_KEY = env("IHF_AI_KEY", default="")
IHF_AI_TIMEOUT = env.float("IHF_AI_TIMEOUT", default=10.0)
IHF_AI_RETRIES = env.int("IHF_AI_RETRIES", default=2)
# Similarity above which two candidates are flagged as possible duplicates: chosen on half of the labelled
# paraphrase set and checked on the other half (`bin/ihf bench ai`, docs/ai.md).
IHF_DUPLICATE_THRESHOLD = env.float("IHF_DUPLICATE_THRESHOLD", default=0.55)

# Where JSONL training and audit exports are written (reporting/exports.py); the admin downloads them
# from here.
IHF_EXPORT_DIR = env("IHF_EXPORT_DIR", default=str(BASE_DIR / "var" / "exports"))
# Post-change surveys (surveys/, docs/metrics.md): how long after a deployment its widget's users may be
# asked, how far back the same widget's earlier answers count as "before", and how many answers a side needs
# before they suggest an outcome signal.
IHF_SURVEY_OPEN_DAYS = env.int("IHF_SURVEY_OPEN_DAYS", default=30)
IHF_SURVEY_BEFORE_DAYS = env.int("IHF_SURVEY_BEFORE_DAYS", default=90)
IHF_SURVEY_MIN_RESPONSES = env.int("IHF_SURVEY_MIN_RESPONSES", default=10)
