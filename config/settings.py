"""One settings module for every environment, driven by environment variables (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# A development fallback exists only with DEBUG on: production refuses to start without real secrets.
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
JWT_SECRET = os.environ.get("JWT_SECRET") or (_DEV_SECRET[::-1] if DEBUG else "")
if not JWT_SECRET:
    raise ImproperlyConfigured("JWT_SECRET must be set when DEBUG is off (and differ from SECRET_KEY).")
if JWT_SECRET == SECRET_KEY:
    raise ImproperlyConfigured("JWT_SECRET must differ from SECRET_KEY.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "graphene_django",
    "django_filters",
    "import_export",
    "shared",
    "accounts",
    "products",
    "customers",
    "sales",
    "returns",
    "tills",
    "reports",
    "purchasing",
    "offline",
]

MIDDLEWARE = [
    "shared.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from gunicorn (compressed, hashed names cached for a year): no web server needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent tills on SQLite must queue for the write lock instead of failing with
    # "database is locked": IMMEDIATE takes the lock at BEGIN, WAL lets readers run meanwhile.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 25,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")}

# PostgreSQL timeouts, set per connection (milliseconds; 0 switches one off). One stuck transaction
# or runaway query must not hold every server thread: a till waiting for a locked row gives up after
# DB_LOCK_TIMEOUT_MS and answers BUSY_TRY_AGAIN. Management commands (migrate, imports,
# generate_data, check_ledgers) are maintenance and run without them: manage.py sets
# DB_MAINTENANCE_SESSION for every command but runserver.
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "15000"))
DB_LOCK_TIMEOUT_MS = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "3000"))
DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = int(os.environ.get("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "30000"))
DB_MAINTENANCE_SESSION = env_bool("DB_MAINTENANCE_SESSION", False)
# Behind PgBouncer in transaction pooling mode (docs/SCALING.md) each transaction may run on another
# server connection, so nothing may live in the session: server-side cursors (`iterator()` declares
# them WITH HOLD outside a transaction) are off, and the timeouts above are not sent as the `options`
# startup parameter (PgBouncer refuses it) but set by PgBouncer's connect_query on every server
# connection (scripts/pgbouncer.sh). Maintenance commands connect to PostgreSQL directly.
DB_TRANSACTION_POOLING = env_bool("DB_TRANSACTION_POOLING", False)
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and not DB_MAINTENANCE_SESSION
    and not DB_TRANSACTION_POOLING
):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
        f"-c {name}={value}"
        for name, value in (
            ("statement_timeout", DB_STATEMENT_TIMEOUT_MS),
            ("lock_timeout", DB_LOCK_TIMEOUT_MS),
            ("idle_in_transaction_session_timeout", DB_IDLE_IN_TRANSACTION_TIMEOUT_MS),
        )
    )

# Read replicas (PostgreSQL streaming replicas of `default`), comma-separated URLs; none by default.
# With replicas, a query's report and list root fields read a random replica and everything else
# (every write, every mutation, reads in a transaction or after a write) the primary: docs/SCALING.md.
# Each replica gets the primary's connection settings and timeouts; in tests it mirrors `default`.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), 1):
    _replica = dj_database_url.parse(_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    _replica["CONN_HEALTH_CHECKS"] = DATABASES["default"].get("CONN_HEALTH_CHECKS", False)
    _replica["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
if DB_TRANSACTION_POOLING:
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["shared.db_router.ReplicaRouter"]
# Root fields that are reports although they return one object (lists and connections always are).
DATABASE_REPLICA_REPORT_FIELDS = frozenset(
    {
        "salesStats",
        "profitAndLoss",
        "inventoryValuation",
        "outstandingDebt",
        "shiftReport",
        "customerStatement",
    }
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Caches (Redis when REDIS_URL is set, else per-process memory; the login throttle is in the DB) ----
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "accounts.backends.RoleModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ACCESS_TOKEN_LIFETIME = timedelta(minutes=int(os.environ.get("ACCESS_TOKEN_MINUTES", "15")))
REFRESH_TOKEN_LIFETIME = timedelta(days=int(os.environ.get("REFRESH_TOKEN_DAYS", "7")))
# However often a refresh token is rotated, its chain ends this long after the password login.
REFRESH_TOKEN_ABSOLUTE_LIFETIME = timedelta(days=int(os.environ.get("REFRESH_TOKEN_MAX_DAYS", "30")))
if timedelta(minutes=15) < ACCESS_TOKEN_LIFETIME:
    raise ImproperlyConfigured("ACCESS_TOKEN_MINUTES may be at most 15.")

GRAPHQL_JWT = {
    "JWT_SECRET_KEY": JWT_SECRET,
    "JWT_ALGORITHM": "HS256",
    "JWT_VERIFY": True,
    "JWT_VERIFY_EXPIRATION": True,
    "JWT_EXPIRATION_DELTA": ACCESS_TOKEN_LIFETIME,
    # Refresh tokens are accounts.RefreshToken rows (rotated once, hashed, capped): see accounts/tokens.py.
    "JWT_LONG_RUNNING_REFRESH_TOKEN": True,
    "JWT_ALLOW_ARGUMENT": False,
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_PAYLOAD_HANDLER": "accounts.jwt.build_payload",
    "JWT_LEEWAY": 0,
}

# Failed logins are counted in the database (shared by every worker, with or without REDIS_URL) per
# (username, client address), per username and per address; see accounts/throttle.py. An address the
# user logged in from before is trusted for them: only the (username, address) limit applies there,
# so nobody elsewhere can lock a cashier out of their own till.
LOGIN_FAILURES_PER_USER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_USER_ADDRESS", "5"))
LOGIN_FAILURES_PER_USERNAME = int(os.environ.get("LOGIN_FAILURES_PER_USERNAME", "50"))
# Tills often share one NAT address: this limit is higher than the per-user ones.
LOGIN_FAILURES_PER_IP = int(os.environ.get("LOGIN_FAILURES_PER_IP", "30"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
LOGIN_TRUSTED_ADDRESS_DAYS = int(os.environ.get("LOGIN_TRUSTED_ADDRESS_DAYS", "30"))
# Trust X-Forwarded-For only when a known proxy sets it (nginx); its last hop is the client address.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# --- GraphQL ------------------------------------------------------------------------------------
GRAPHENE = {
    "SCHEMA": "config.schema.schema",
    # Authentication happens once per request in shared.views.PosGraphQLView (header only).
    # With read replicas, a query's report and list root fields read a replica (shared/db_router.py).
    "MIDDLEWARE": ["shared.db_router.ReplicaReadsMiddleware"] if DATABASE_REPLICAS else [],
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
    "ATOMIC_MUTATIONS": False,
}
GRAPHQL_MAX_DEPTH = int(os.environ.get("GRAPHQL_MAX_DEPTH", "12"))
GRAPHQL_MAX_ALIASES = int(os.environ.get("GRAPHQL_MAX_ALIASES", "15"))
GRAPHQL_MAX_TOKENS = int(os.environ.get("GRAPHQL_MAX_TOKENS", "3000"))
GRAPHQL_MAX_QUERY_BYTES = int(os.environ.get("GRAPHQL_MAX_QUERY_BYTES", "20000"))
# Automatic persisted queries: query texts remembered per process by SHA-256 (0 turns them off;
# clients then always get PERSISTED_QUERY_NOT_FOUND for a bare hash and keep sending the text).
GRAPHQL_PERSISTED_QUERIES = int(os.environ.get("GRAPHQL_PERSISTED_QUERIES", "1000"))
# Estimated objects a query may load (list sizes multiplied through nesting; docs/SECURITY.md).
GRAPHQL_MAX_COST = int(os.environ.get("GRAPHQL_MAX_COST", "20000"))
# Assumed length of a plain list field without a size argument (e.g. sale.items), and the fields
# whose usual length is far from it: a product's live batches pile up (pharmacy), a line draws from
# one or two batches, a sale has one or two tenders, a shop a handful of locations.
GRAPHQL_LIST_SIZE_ESTIMATE = int(os.environ.get("GRAPHQL_LIST_SIZE_ESTIMATE", "10"))
GRAPHQL_LIST_SIZE_ESTIMATES = {
    "Product.batches": 50,
    "Product.stockByLocation": 5,
    "SaleItem.batches": 3,
    "Sale.payments": 3,
    "Sale.returns": 3,
}
# One response name selected more often than this in one selection set is refused (field merging
# in validation is quadratic in it; no client needs it).
GRAPHQL_MAX_FIELD_REPEATS = int(os.environ.get("GRAPHQL_MAX_FIELD_REPEATS", "20"))
GRAPHQL_MAX_JSON_DEPTH = int(os.environ.get("GRAPHQL_MAX_JSON_DEPTH", "20"))
# Seconds after which a request stops resolving fields (0: no budget). Year-long reports answer in
# under 1 s on a million sale lines (docs/PERFORMANCE.md), the till in tens of milliseconds.
GRAPHQL_REQUEST_TIMEOUT = float(os.environ.get("GRAPHQL_REQUEST_TIMEOUT", "10"))
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", DEBUG)
GRAPHIQL = DEBUG

# --- Input limits (docs/SECURITY.md, "Limits") ----------------------------------------------
# Largest single amount / quantity any input may carry. The columns hold 9,999,999,999.99 and
# 999,999,999.999: these leave 100x / 1000x headroom for the totals and stock levels they feed.
INPUT_MAX_AMOUNT = os.environ.get("INPUT_MAX_AMOUNT", "99999999.99")
INPUT_MAX_QUANTITY = os.environ.get("INPUT_MAX_QUANTITY", "999999.999")
# Longest free text (notes, reasons, addresses, descriptions) and any string input without a column.
INPUT_MAX_TEXT_LENGTH = int(os.environ.get("INPUT_MAX_TEXT_LENGTH", "2000"))
# Dates accepted in reports and filters; a day-by-day (or week, month) report has at most this many rows.
INPUT_DATE_MIN = os.environ.get("INPUT_DATE_MIN", "2000-01-01")
INPUT_DATE_MAX = os.environ.get("INPUT_DATE_MAX", "2099-12-31")
REPORT_MAX_BUCKETS = int(os.environ.get("REPORT_MAX_BUCKETS", "400"))

# --- CORS / security ----------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_HEADERS = ["authorization", "content-type", "x-request-id"]
CORS_ALLOW_CREDENTIALS = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list is hard to undo and binds every subdomain of the shop's
# domain: it stays the owner's explicit choice (SECURE_HSTS_PRELOAD=true), not a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- The shop -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "Africa/Lagos")
USE_I18N = True
USE_TZ = True

SHOP_NAME = os.environ.get("SHOP_NAME", "POS Server Demo Shop")
SHOP_ADDRESS = os.environ.get("SHOP_ADDRESS", "1 Market Street")
SHOP_PHONE = os.environ.get("SHOP_PHONE", "")
SHOP_CURRENCY = os.environ.get("SHOP_CURRENCY", "NGN")
# Prices in the catalogue include tax (typical at a till) unless this is off.
PRICES_INCLUDE_TAX = env_bool("PRICES_INCLUDE_TAX", True)
# Largest discount (percent of the line or sale) a cashier may give without a manager.
CASHIER_MAX_DISCOUNT_PERCENT = os.environ.get("CASHIER_MAX_DISCOUNT_PERCENT", "10")
# A cashier may void their own sale within this many minutes (managers always may).
MAX_SALE_ITEMS = int(os.environ.get("MAX_SALE_ITEMS", "200"))
# Largest single payment at the till or into a customer's account, and the most that money
# tendered may exceed a sale's total (change, or credit kept): typing slips, not real money.
POS_MAX_PAYMENT_AMOUNT = os.environ.get("POS_MAX_PAYMENT_AMOUNT", "10000000.00")
POS_MAX_CHANGE_AMOUNT = os.environ.get("POS_MAX_CHANGE_AMOUNT", "100000.00")
# Tills and shifts (docs/tills.md). Once a location has a register, its cashiers take money only
# inside an open shift; managers and admins are back office and never need one.
POS_REQUIRE_OPEN_SHIFT = env_bool("POS_REQUIRE_OPEN_SHIFT", True)
# A void of a sale from a closed shift posts to the voiding user's open shift; without one it is
# refused (on) or left out of every drawer (off).
POS_VOID_NEEDS_OPEN_SHIFT = env_bool("POS_VOID_NEEDS_OPEN_SHIFT", True)
# A cashier's single pay-out above this needs a manager.
POS_CASHIER_MAX_PAY_OUT = os.environ.get("POS_CASHIER_MAX_PAY_OUT", "5000.00")
# A counted cash variance beyond this (either way) leaves the shift PENDING_APPROVAL for a manager.
POS_SHIFT_VARIANCE_TOLERANCE = os.environ.get("POS_SHIFT_VARIANCE_TOLERANCE", "500.00")
# Blind close: a cashier does not see the expected cash of their open shift before counting it.
POS_BLIND_CLOSE = env_bool("POS_BLIND_CLOSE", True)
# Region for phone numbers typed without a country code (ISO 3166 code; the demo shop is in Nigeria).
POS_PHONE_REGION = os.environ.get("POS_PHONE_REGION", "NG")
# A parked cart older than this many hours is no longer listed nor resumable (docs/OFFLINE.md).
POS_PARKED_CART_TTL_HOURS = int(os.environ.get("POS_PARKED_CART_TTL_HOURS", "24"))
# prune_catalogue_changes keeps this many days of the catalogue change log; a till offline longer
# than that gets CURSOR_EXPIRED and starts a first sync (docs/OFFLINE.md).
POS_CATALOGUE_LOG_DAYS = int(os.environ.get("POS_CATALOGUE_LOG_DAYS", "30"))
# syncSales (docs/OFFLINE.md): at most this many sales per batch; a till clock is trusted when its
# soldAt is at most POS_SYNC_CLOCK_TOLERANCE_MINUTES ahead of the server and at most
# POS_SYNC_MAX_SALE_AGE_HOURS behind it (otherwise the sale is dated when received and flagged).
POS_SYNC_MAX_BATCH = int(os.environ.get("POS_SYNC_MAX_BATCH", "100"))
POS_SYNC_MAX_SALE_AGE_HOURS = int(os.environ.get("POS_SYNC_MAX_SALE_AGE_HOURS", "72"))
POS_SYNC_CLOCK_TOLERANCE_MINUTES = int(os.environ.get("POS_SYNC_CLOCK_TOLERANCE_MINUTES", "5"))

# --- Static files: collected into STATIC_ROOT (scripts/gunicorn.sh runs collectstatic) and served by
# WhiteNoise under hashed, pre-compressed names. DEBUG serves them from the apps as they are.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "config.staticfiles.HashedStaticFilesStorage"
        if env_bool("STATIC_HASHED_NAMES", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Logging: one JSON object per line on stdout ---------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "shared.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
