"""Login is rate limited per client address and per account."""
import logging

import pytest

from ledger.extensions import limiter
from tests.auth.helpers import LOGIN
from tests.conftest import assert_problem

WRONG = "a wrong password, long enough"


@pytest.fixture(autouse=True)
def _limiter_left_as_found():
    """The limiter is one object for every app of the process and init_app switches it on for all of them:
    switch it back, or the shared test app would start limiting the tests that follow."""
    enabled = limiter.enabled
    yield
    limiter.enabled = enabled


@pytest.fixture
def limited(app, make_app):
    """Rate limits on, 3 logins a minute; `app` first so that its teardown empties the tables."""
    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")


def attempt(client, email, password=WRONG, address="198.51.100.1", **headers):
    return client.post(LOGIN, json={"email": email, "password": password}, headers=headers,
                       environ_base={"REMOTE_ADDR": address})


def test_fourth_login_from_one_address_is_rate_limited(limited, make_user, sql):
    client = limited.test_client()
    users = [make_user() for _ in range(4)]
    for user in users[:3]:
        assert_problem(attempt(client, user.email), 401, "invalid_credentials")

    # Even with the right password: the address has used up its attempts.
    response = attempt(client, users[3].email, users[3].password)

    assert_problem(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    assert sql.count("sessions") == 0


def test_per_account_limit_counts_failures_from_different_addresses(limited, user, sql):
    client = limited.test_client()
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        assert_problem(attempt(client, user.email, address=address), 401, "invalid_credentials")

    response = attempt(client, user.email.upper(), user.password, address="198.51.100.4")

    assert_problem(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    assert sql.count("sessions") == 0


def test_per_account_limit_does_not_count_successful_logins(limited, user, sql):
    client = limited.test_client()
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        assert attempt(client, user.email, user.password, address=address).status_code == 200

    assert attempt(client, user.email, user.password, address="198.51.100.4").status_code == 200
    assert sql.count("sessions") == 4


def test_per_account_limit_leaves_other_accounts_alone(limited, make_user, sql):
    client = limited.test_client()
    victim, other = make_user(), make_user()
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        attempt(client, victim.email, address=address)

    assert attempt(client, other.email, other.password, address="198.51.100.4").status_code == 200
    assert sql.count("sessions", "user_id = :u", u=other.id) == 1


def test_x_forwarded_for_does_not_reset_the_address_limit_without_trusted_proxies(limited, make_user, sql):
    assert limited.config["TRUSTED_PROXY_COUNT"] == 0
    client = limited.test_client()
    users = [make_user() for _ in range(4)]
    for number, user in enumerate(users[:3]):
        response = attempt(client, user.email, **{"X-Forwarded-For": f"192.0.2.{number}"})
        assert_problem(response, 401, "invalid_credentials")

    response = attempt(client, users[3].email, users[3].password, **{"X-Forwarded-For": "192.0.2.99"})

    assert_problem(response, 429, "rate_limited")
    assert sql.count("sessions") == 0


def test_x_forwarded_for_names_the_client_behind_one_trusted_proxy(app, make_app, make_user, sql):
    behind_proxy = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute", TRUSTED_PROXY_COUNT=1)
    client = behind_proxy.test_client()
    users = [make_user() for _ in range(4)]
    for user in users[:3]:
        attempt(client, user.email, **{"X-Forwarded-For": "192.0.2.1"})

    response = attempt(client, users[3].email, users[3].password, **{"X-Forwarded-For": "192.0.2.2"})

    assert response.status_code == 200
    assert sql.scalar("SELECT ip FROM sessions") == "192.0.2.2"


# --- the shared storage (Redis) is unreachable: limits per worker, never a 500 (API.md §2) -----------------

DEAD_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing listens, the connection is refused at once


@pytest.fixture
def storage_down(app, make_app):
    # One limiter object serves every app of this process; a previous test may have left it in fallback mode.
    limiter._storage_dead = False
    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute", RATELIMIT_STORAGE_URI=DEAD_REDIS,
                    RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5})


def test_login_register_and_refresh_work_while_the_limiter_storage_is_down(storage_down, make_user, sql):
    client = storage_down.test_client()
    user = make_user()

    assert client.post("/api/v1/auth/register", json={"email": "new@example.com",
                                                      "password": "a long passphrase for 2026"}).status_code == 201
    assert_problem(attempt(client, user.email), 401, "invalid_credentials")
    login = attempt(client, user.email, user.password)
    assert login.status_code == 200
    refresh = client.post("/api/v1/auth/refresh", headers={"X-CSRF-TOKEN": login.get_json()["csrf_token"]})
    assert refresh.status_code == 200
    assert sql.count("users") == 2 and sql.count("sessions") == 1


def test_limits_still_hold_in_memory_while_the_storage_is_down(storage_down, user):
    client = storage_down.test_client()
    for _ in range(3):
        assert_problem(attempt(client, user.email), 401, "invalid_credentials")

    assert_problem(attempt(client, user.email, user.password), 429, "rate_limited")


def test_the_storage_outage_is_logged_once_not_per_request(storage_down, user):
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logging.getLogger("flask-limiter").addHandler(handler)
    try:
        client = storage_down.test_client()
        for _ in range(3):
            attempt(client, user.email)
    finally:
        logging.getLogger("flask-limiter").removeHandler(handler)

    assert len(records) == 1 and "falling back to in-memory" in records[0].getMessage()
