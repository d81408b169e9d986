"""Configuration classes; every setting is read from the environment (§6 of API.md).

The classes read the environment when they are instantiated, not at import, so a
test or a command can change the environment before building an app.
"""
from __future__ import annotations

import os
from typing import overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

load_dotenv()  # a .env file is honoured; real environment variables win


class ConfigError(Exception):
    """A setting is missing or malformed; the app must not start."""


@overload
def _env(name: str) -> str | None: ...
@overload
def _env(name: str, default: str) -> str: ...


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _list(name: str) -> list[str]:
    return [item.strip().rstrip("/") for item in (_env(name) or "").split(",") if item.strip()]


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    DEFAULT_COOKIE_SECURE = True
    REFRESH_COOKIE_NAME = "refresh_token"
    CSRF_COOKIE_NAME = "csrf_refresh_token"

    def __init__(self) -> None:
        self.SECRET_KEY = _env("SECRET_KEY")
        self.JWT_SECRET_KEY = _env("JWT_SECRET_KEY")
        # Rotation: newest first; the first signs (its kid in the header), the others still verify.
        # Replaces JWT_SECRET_KEY when set. Not _list(): a key may end with "/".
        self.JWT_SECRET_KEYS = [key.strip() for key in (_env("JWT_SECRET_KEYS") or "").split(",") if key.strip()]
        if self.JWT_SECRET_KEYS:
            self.JWT_SECRET_KEY = self.JWT_SECRET_KEYS[0]
        # The second factor (ledger/auth/mfa): TOTP secrets are encrypted with the first of MFA_ENCRYPTION_KEYS
        # (newest first, like JWT_SECRET_KEYS); every key decrypts. Unset: a key derived from SECRET_KEY.
        self.MFA_ENCRYPTION_KEYS = [key.strip() for key in (_env("MFA_ENCRYPTION_KEYS") or "").split(",")
                                    if key.strip()]
        # Passkeys: the relying party's id (the site's host name) and the origins the browser may sign from.
        # Unset: the request's own host and origin (development, tests); behind nginx set both.
        self.WEBAUTHN_RP_ID = _env("WEBAUTHN_RP_ID")
        self.WEBAUTHN_ORIGINS = _list("WEBAUTHN_ORIGINS")
        self.WEBAUTHN_RP_NAME = _env("WEBAUTHN_RP_NAME", "Ledger")
        self.MFA_CHALLENGE_TTL = _int("MFA_CHALLENGE_TTL", 300)  # a login's second step, seconds
        self.MFA_STEP_UP_MAX_AGE = _int("MFA_STEP_UP_MAX_AGE", 300)  # how recent a proof step-up needs
        self.MFA_CHALLENGE_ATTEMPTS = _int("MFA_CHALLENGE_ATTEMPTS", 5)  # wrong codes, then the challenge is void
        # Wrong codes per account (any challenge, step-up) within MFA_ACCOUNT_WINDOW seconds, then 429.
        self.MFA_ACCOUNT_FAILURES = _int("MFA_ACCOUNT_FAILURES", 20)
        self.MFA_ACCOUNT_WINDOW = _int("MFA_ACCOUNT_WINDOW", 900)
        # None means "SQLite in the instance folder", resolved by create_app.
        self.SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
        # No pre-ping (a round trip on every checkout): the auth check retries once on a fresh connection
        # after a disconnect, and any other statement that meets a dead connection answers 503 once while
        # SQLAlchemy invalidates the pool.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
        self.DATABASE_CONNECT_TIMEOUT = _int("DATABASE_CONNECT_TIMEOUT", 5)

        self.ACCESS_TOKEN_TTL = _int("ACCESS_TOKEN_TTL", 900)
        self.REFRESH_TOKEN_IDLE = _int("REFRESH_TOKEN_IDLE", 604800)
        self.SESSION_MAX_AGE = _int("SESSION_MAX_AGE", 2592000)
        self.REFRESH_REUSE_GRACE_SECONDS = _int("REFRESH_REUSE_GRACE_SECONDS", 10)
        self.REFRESH_TOKEN_TRANSPORT = _env("REFRESH_TOKEN_TRANSPORT", "cookie")
        self.COOKIE_SECURE = _bool("COOKIE_SECURE", self.DEFAULT_COOKIE_SECURE)
        self.CORS_ORIGINS = _list("CORS_ORIGINS")
        self.REGISTRATION_OPEN = _bool("REGISTRATION_OPEN", True)
        self.DEFAULT_CURRENCY = (_env("DEFAULT_CURRENCY", "KRW") or "KRW").upper()
        # The households' time zone (ledger/clock.py), until each household has its own.
        self.LEDGER_TIMEZONE = _env("LEDGER_TIMEZONE", "Asia/Seoul")

        # Optional Redis copy of the auth state (ledger/auth/state.py); a copy lives AUTH_STATE_TTL seconds.
        self.AUTH_STATE_URL = _env("AUTH_STATE_URL")
        self.AUTH_STATE_TTL = _int("AUTH_STATE_TTL", 5)

        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
        # While the shared storage (Redis) is unreachable: per-worker limits in memory, one warning, and a
        # retry of the storage now and then (Flask-Limiter's backoff, at most ~30 s) until it is back.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        # A storage that dies between a request's check and its deduction (failed logins) must not make a 500.
        self.RATELIMIT_SWALLOW_ERRORS = True
        # Fail fast when Redis does not answer: a login waits at most this long for the limiter.
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} \
            if self.RATELIMIT_STORAGE_URI.startswith(("redis", "rediss")) else {}
        self.RATELIMIT_LOGIN = _env("RATELIMIT_LOGIN", "10 per minute; 100 per hour")
        self.RATELIMIT_REGISTER = _env("RATELIMIT_REGISTER", "10 per hour")
        self.RATELIMIT_REFRESH = _env("RATELIMIT_REFRESH", "60 per minute")
        # Invitation links (look up, accept), per client address: guessing a 256-bit token is hopeless anyway,
        # this keeps scanners from costing the database.
        self.RATELIMIT_INVITE = _env("RATELIMIT_INVITE", "30 per minute; 300 per hour")
        # How many proxies in front of the app may set X-Forwarded-For. 0: never trust it.
        self.TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)

        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 1048576)
        self.IMPORT_MAX_CONTENT_LENGTH = _int("IMPORT_MAX_CONTENT_LENGTH", 10 * 1048576)
        self.LOG_LEVEL = (_env("LOG_LEVEL", "INFO") or "INFO").upper()
        self.HSTS_SECONDS = _int("HSTS_SECONDS", 0)

        # Argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane) unless raised.
        self.ARGON2_MEMORY_COST = _int("ARGON2_MEMORY_COST", 19456)
        self.ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 2)
        self.ARGON2_PARALLELISM = _int("ARGON2_PARALLELISM", 1)

        # flask-jwt-extended: only the configured algorithm, iss/aud on every token,
        # access tokens only from the Authorization header (never the query string).
        self.JWT_ALGORITHM = "HS256"
        self.JWT_DECODE_ALGORITHMS = ["HS256"]
        self.JWT_TOKEN_LOCATION = ["headers"]
        self.JWT_ENCODE_ISSUER = self.JWT_DECODE_ISSUER = _env("JWT_ISSUER", "ledger")
        self.JWT_ENCODE_AUDIENCE = self.JWT_DECODE_AUDIENCE = _env("JWT_AUDIENCE", "ledger-api")
        self.JWT_ENCODE_NBF = True
        self.JWT_ERROR_MESSAGE_KEY = "detail"

        self.API_TITLE = "Ledger API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.API_SPEC_OPTIONS = {
            "info": {"description": "Household ledger API with JWT auth that really logs out."},
        }

    def validate(self) -> None:
        """Raise ConfigError when a setting cannot work."""
        if self.REFRESH_TOKEN_TRANSPORT not in {"cookie", "body"}:
            raise ConfigError("REFRESH_TOKEN_TRANSPORT must be 'cookie' or 'body'")
        for name in ("ACCESS_TOKEN_TTL", "REFRESH_TOKEN_IDLE", "SESSION_MAX_AGE", "MAX_CONTENT_LENGTH"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        if self.REFRESH_REUSE_GRACE_SECONDS < 0:
            raise ConfigError("REFRESH_REUSE_GRACE_SECONDS must not be negative")
        if len(self.DEFAULT_CURRENCY) != 3:
            raise ConfigError("DEFAULT_CURRENCY must be an ISO 4217 code")
        try:
            ZoneInfo(self.LEDGER_TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"LEDGER_TIMEZONE must be an IANA time zone such as Asia/Seoul, got "
                              f"{self.LEDGER_TIMEZONE!r} (or the system's tzdata is missing)") from None
        if not 1 <= self.AUTH_STATE_TTL <= 60:
            # a revocation that cannot reach Redis waits this long before it answers
            raise ConfigError("AUTH_STATE_TTL must be 1..60 seconds")
        if self.AUTH_STATE_URL and not self.AUTH_STATE_URL.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("AUTH_STATE_URL must be a redis:// URL")
        if self.REFRESH_TOKEN_IDLE < self.ACCESS_TOKEN_TTL:
            # A session idle for REFRESH_TOKEN_IDLE is dead (not listed, DELETE .../current is 404) while its
            # access token would still work.
            raise ConfigError("REFRESH_TOKEN_IDLE must not be shorter than ACCESS_TOKEN_TTL")


class DevelopmentConfig(Config):
    """Local work: SQLite, secrets generated into the instance folder, cookies without Secure."""

    ENV_NAME = "development"
    DEFAULT_COOKIE_SECURE = False


class TestingConfig(Config):
    """The test suite: rate limits off unless a test turns them on."""

    ENV_NAME = "testing"
    DEFAULT_COOKIE_SECURE = False

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite://")
        self.SECRET_KEY = "testing-secret-key-not-for-production-0123456789"
        self.JWT_SECRET_KEY = "testing-jwt-key-not-for-production-0123456789abcdef"
        self.RATELIMIT_ENABLED = False
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.REFRESH_TOKEN_TRANSPORT = "cookie"
        self.CORS_ORIGINS = ["https://app.example.com"]
        # Cheap hashes keep the suite fast; production's parameters are asserted by a test of their own.
        self.ARGON2_MEMORY_COST = 1024
        self.ARGON2_TIME_COST = 1


class ProductionConfig(Config):
    """gunicorn + PostgreSQL: refuses to start without its secrets."""

    ENV_NAME = "production"
    REFRESH_COOKIE_NAME = "__Secure-refresh_token"
    CSRF_COOKIE_NAME = "__Secure-csrf_refresh_token"

    def validate(self) -> None:
        super().validate()
        missing = [n for n in ("SECRET_KEY", "DATABASE_URL") if not _env(n)]
        if not self.JWT_SECRET_KEYS and not _env("JWT_SECRET_KEY"):
            missing.insert(1, "JWT_SECRET_KEY")
        if missing:
            raise ConfigError(f"production needs {', '.join(missing)} in the environment")
        name = "JWT_SECRET_KEYS" if self.JWT_SECRET_KEYS else "JWT_SECRET_KEY"
        keys = self.JWT_SECRET_KEYS or [self.JWT_SECRET_KEY or ""]  # set: `missing` says so otherwise
        if any(len(key.encode()) < 32 for key in keys):
            raise ConfigError(f"{name}: every key must be at least 32 bytes")
        if self.SECRET_KEY in keys:
            raise ConfigError(f"{name} must differ from SECRET_KEY")
        if len(set(keys)) != len(keys):
            raise ConfigError("JWT_SECRET_KEYS lists a key twice")
        if any(len(key.encode()) < 32 for key in self.MFA_ENCRYPTION_KEYS):
            raise ConfigError("MFA_ENCRYPTION_KEYS: every key must be at least 32 bytes")
        if self.RATELIMIT_ENABLED and not _env("RATELIMIT_STORAGE_URI"):
            # The default memory:// gives every worker its own counters: the limit times the worker count.
            raise ConfigError("production needs RATELIMIT_STORAGE_URI (redis://host:6379/0 shared by all "
                              "workers; memory:// means per-worker limits)")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> Config:
    """Instantiate the config named by `name` or by LEDGER_ENV."""
    name = name or _env("LEDGER_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"LEDGER_ENV must be one of {', '.join(CONFIGS)}, got {name!r}")
    return CONFIGS[name]()
