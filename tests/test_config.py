"""Configuration (§6): production fails fast without its secrets; names and flags of the production cookies."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, ProductionConfig, get_config
from ledger import create_app
from ledger.auth.passwords import hash_password
from ledger.extensions import db, limiter

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "SECRET_KEY": "a-flask-secret-key-for-the-production-tests",
    "JWT_SECRET_KEY": "a-dedicated-jwt-key-of-more-than-32-bytes-0123456789",
    "DATABASE_URL": "sqlite://",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
}


@pytest.fixture(autouse=True)
def _limiter_left_as_found():
    """Production apps switch the process-wide limiter on; the shared test app must not inherit that."""
    enabled = limiter.enabled
    yield
    limiter.enabled = enabled


@pytest.fixture
def production_env(monkeypatch):
    """A production environment with every secret set; tests remove or spoil one."""
    monkeypatch.setenv("LEDGER_ENV", "production")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_production_config_with_every_secret_is_valid(production_env):
    config = get_config()

    config.validate()
    assert isinstance(config, ProductionConfig)


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_production_without_a_secret_refuses_to_start(production_env, missing):
    production_env.delenv(missing)

    with pytest.raises(ConfigError, match=missing):
        create_app("production")


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_production_with_an_empty_secret_refuses_to_start(production_env, missing):
    production_env.setenv(missing, "")

    with pytest.raises(ConfigError, match=missing):
        ProductionConfig().validate()


def test_production_with_a_short_jwt_key_refuses_to_start(production_env):
    production_env.setenv("JWT_SECRET_KEY", "x" * 31)

    with pytest.raises(ConfigError, match="32 bytes"):
        create_app("production")


def test_production_with_a_jwt_key_of_exactly_32_bytes_starts(production_env):
    production_env.setenv("JWT_SECRET_KEY", "x" * 32)

    assert create_app("production").config["JWT_SECRET_KEY"] == "x" * 32


def test_production_with_the_jwt_key_equal_to_the_secret_key_refuses_to_start(production_env):
    production_env.setenv("SECRET_KEY", SECRETS["JWT_SECRET_KEY"])

    with pytest.raises(ConfigError, match="differ"):
        create_app("production")


def test_unknown_ledger_env_is_a_config_error(monkeypatch):
    monkeypatch.setenv("LEDGER_ENV", "staging")

    with pytest.raises(ConfigError, match="LEDGER_ENV"):
        get_config()


@pytest.mark.parametrize(("name", "value"), [
    ("ACCESS_TOKEN_TTL", "fifteen minutes"), ("ACCESS_TOKEN_TTL", "0"), ("SESSION_MAX_AGE", "-1"),
    ("REFRESH_TOKEN_TRANSPORT", "header"), ("COOKIE_SECURE", "maybe"), ("REFRESH_REUSE_GRACE_SECONDS", "-1"),
    ("DEFAULT_CURRENCY", "EURO"),
])
def test_a_malformed_setting_is_a_config_error(production_env, name, value):
    production_env.setenv(name, value)

    with pytest.raises(ConfigError, match=name):
        create_app("production")


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACCESS_TOKEN_TTL", "60")
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example.com/, https://b.example.com")
    monkeypatch.setenv("REGISTRATION_OPEN", "false")

    config = get_config("development")

    assert config.ACCESS_TOKEN_TTL == 60
    assert config.CORS_ORIGINS == ["https://a.example.com", "https://b.example.com"]
    assert config.REGISTRATION_OPEN is False


def test_importing_wsgi_in_production_without_secrets_exits_3_with_one_line():
    env = {"PATH": os.environ.get("PATH", ""), "LEDGER_ENV": "production", "PYTHON_DOTENV_DISABLED": "1"}

    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 3  # gunicorn's "worker failed to boot"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0] and "configuration error" in lines[0]
    assert "Traceback" not in result.stderr


def test_gunicorn_without_preload_stops_on_a_config_error_instead_of_respawning_workers(tmp_path):
    """Workers that import the app themselves (deploy/gunicorn.conf.py) and exit 1 would be replaced by new
    ones failing the same way, forever; exit 3 makes the master stop with the error."""
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text("workers = 2\npreload_app = False\ncontrol_socket_disable = True\n")
    env = {"PATH": os.environ.get("PATH", ""), "LEDGER_ENV": "production", "PYTHON_DOTENV_DISABLED": "1"}
    gunicorn = Path(sys.executable).with_name("gunicorn")

    result = subprocess.run([str(gunicorn), "-c", str(conf), "-b", "127.0.0.1:0", "wsgi:app"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "Worker failed to boot" in result.stderr
    # each of the two first workers says why once, and no worker is started after them
    assert 1 <= result.stderr.count("ledger: configuration error: production needs SECRET_KEY") <= 2, result.stderr


def test_production_defaults_are_secure(production_env):
    app = create_app("production")

    assert app.config["COOKIE_SECURE"] is True
    assert app.config["RATELIMIT_ENABLED"] is True
    assert app.config["REFRESH_TOKEN_TRANSPORT"] == "cookie"
    assert app.config["JWT_DECODE_ALGORITHMS"] == ["HS256"]
    assert app.config["JWT_TOKEN_LOCATION"] == ["headers"]
    assert app.config["REFRESH_COOKIE_NAME"].startswith("__Secure-")
    assert app.config["CSRF_COOKIE_NAME"].startswith("__Secure-")


def test_production_hashes_passwords_with_at_least_owasps_argon2id_parameters(production_env):
    app = create_app("production")

    with app.app_context():
        stored = hash_password("a production password, long")

    assert stored.startswith("$argon2id$v=19$")
    params = dict(item.split("=") for item in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2 and int(params["p"]) >= 1


def test_production_login_sets_secure_prefixed_cookies(production_env, database_url, make_user):
    production_env.setenv("DATABASE_URL", database_url)
    user = make_user()
    app = create_app("production")

    response = app.test_client().post("/api/v1/auth/login", json={"email": user.email, "password": user.password})
    with app.app_context():
        db.engine.dispose()  # a pooled PostgreSQL connection must not outlive the test

    assert response.status_code == 200
    headers = response.headers.getlist("Set-Cookie")
    refresh = next(h for h in headers if h.startswith("__Secure-refresh_token="))
    csrf = next(h for h in headers if h.startswith("__Secure-csrf_refresh_token="))
    assert "Secure" in refresh and "HttpOnly" in refresh and "SameSite=Strict" in refresh
    assert "Secure" in csrf and "HttpOnly" not in csrf
    assert not any(h.startswith("refresh_token=") for h in headers)


def test_production_without_an_explicit_rate_limit_storage_refuses_to_start(production_env):
    production_env.delenv("RATELIMIT_STORAGE_URI")

    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        create_app("production")


def test_production_with_rate_limits_off_needs_no_storage(production_env):
    production_env.delenv("RATELIMIT_STORAGE_URI")
    production_env.setenv("RATELIMIT_ENABLED", "false")

    assert create_app("production").config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_with_memory_storage_chosen_explicitly_warns_once_at_start(production_env, capsys):
    production_env.setenv("RATELIMIT_STORAGE_URI", "memory://")

    create_app("production")

    warnings = [line for line in capsys.readouterr().err.splitlines() if "per worker" in line]
    assert len(warnings) == 1 and '"level": "warning"' in warnings[0]


def test_production_with_redis_storage_does_not_warn(production_env, capsys):
    create_app("production")

    assert "per worker" not in capsys.readouterr().err


def test_a_refresh_token_idle_time_shorter_than_the_access_token_lifetime_is_a_config_error(monkeypatch):
    monkeypatch.setenv("ACCESS_TOKEN_TTL", "900")
    monkeypatch.setenv("REFRESH_TOKEN_IDLE", "600")

    with pytest.raises(ConfigError, match="REFRESH_TOKEN_IDLE"):
        get_config("development").validate()


def test_a_redis_rate_limit_storage_falls_back_to_memory_with_short_timeouts(production_env):
    config = create_app("production").config

    assert config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert config["RATELIMIT_SWALLOW_ERRORS"] is True
    assert config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] <= 1


def test_production_takes_a_list_of_signing_keys_instead_of_one(production_env):
    production_env.delenv("JWT_SECRET_KEY")
    production_env.setenv("JWT_SECRET_KEYS", "n" * 40 + ", " + "o" * 40)

    app = create_app("production")

    assert app.config["JWT_SECRET_KEY"] == "n" * 40 and len(app.config["JWT_VERIFY_KEYS"]) == 2


@pytest.mark.parametrize(("keys", "message"), [
    ("n" * 40 + "," + "o" * 31, "at least 32 bytes"),
    ("n" * 40 + "," + "n" * 40, "twice"),
    (SECRETS["SECRET_KEY"] + "-0123456789", None),
])
def test_production_refuses_a_weak_or_repeated_signing_key_list(production_env, keys, message):
    production_env.setenv("JWT_SECRET_KEYS", keys)
    if message is None:  # SECRET_KEY itself among the keys
        production_env.setenv("SECRET_KEY", keys)
        message = "differ from SECRET_KEY"

    with pytest.raises(ConfigError, match=message):
        create_app("production")
