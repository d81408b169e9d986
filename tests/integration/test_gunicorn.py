"""Revocation, rotation and rate limits hold across the 4 workers of a real gunicorn on PostgreSQL."""
from __future__ import annotations

from functools import partial

import pytest

from tests.conftest import PASSWORD
from tests.integration.conftest import WORKERS, assert_http_problem, fire_together, new_request_id, on_every_worker

pytestmark = pytest.mark.gunicorn


def login(server, email: str, password: str = PASSWORD) -> dict:
    response = server.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["access_token"] and body["refresh_token"]
    return body


def get_me(server, token: str):
    """send(request_id) for on_every_worker: GET /me with `token`."""
    return lambda request_id: server.get("/api/v1/me", token=token, request_id=request_id)


def post_refresh(server, token: str):
    """send(request_id) for on_every_worker: POST /auth/refresh with `token` in the body."""
    return lambda request_id: server.post("/api/v1/auth/refresh", json={"refresh_token": token},
                                          request_id=request_id)


def expect_revoked(response) -> None:
    assert_http_problem(response, 401, "token_revoked")


def accepted(response) -> None:
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("auth_state", [False, True], ids=["database", "redis-auth-state"])
def test_logout_revokes_on_every_worker(gunicorn, sql, request, auth_state):
    server = gunicorn(**({"AUTH_STATE_URL": request.getfixturevalue("redis_url")} if auth_state else {}))
    email = "ann@example.com"
    registered = server.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    tokens = login(server, email)
    access, refresh = tokens["access_token"], tokens["refresh_token"]

    me = get_me(server, access)
    workers = server.worker_pids()
    assert len(workers) == WORKERS
    assert on_every_worker(server, "warm", me, accepted) == workers
    assert me("check").json()["email"] == email

    assert server.post("/api/v1/auth/logout", token=access).status_code == 204
    assert sql.scalar("SELECT token_version FROM users WHERE email = :e", e=email) == 1
    assert sql.scalar("SELECT revoked_at IS NOT NULL FROM sessions") is True

    assert on_every_worker(server, "me", me, expect_revoked) == workers
    assert on_every_worker(server, "refresh", post_refresh(server, refresh), expect_revoked) == workers
    assert server.worker_pids() == workers  # no worker crashed or was replaced meanwhile
    # None of the refreshes rotated anything: the login's refresh token is still the only one, unused.
    assert sql.rows("SELECT used_at, replaced_by FROM refresh_tokens") == [(None, None)]


def test_concurrent_refreshes_produce_one_successor(gunicorn, make_user, sql):
    server = gunicorn()
    user = make_user()
    racers = 16
    answered_by: set[int] = set()
    for _ in range(5):
        tokens = login(server, user.email)
        refresh = tokens["refresh_token"]
        claims = server.claims(refresh)
        jti, session_id = claims["jti"], claims["sid"]
        ids = [new_request_id("race") for _ in range(racers)]
        responses = fire_together([partial(post_refresh(server, refresh), request_id) for request_id in ids])
        answered_by |= set(server.served_by(ids).values())

        assert [r.status_code for r in responses] == [200] * racers, [r.text for r in responses]
        bodies = [r.json() for r in responses]
        assert all(body["access_token"] for body in bodies)
        successors = [body["refresh_token"] for body in bodies if "refresh_token" in body]
        assert len(successors) == 1, f"{len(successors)} successors"
        successor = server.claims(successors[0])
        assert successor["sid"] == session_id and successor["jti"] != jti

        assert sql.rows("SELECT replaced_by FROM refresh_tokens WHERE jti = :j AND replaced_by IS NOT NULL",
                        j=jti) == [(successor["jti"],)]
        assert sql.count("refresh_tokens", "session_id = :s", s=session_id) == 2
        # A grace-window access token works like the winner's.
        graced = next(body for body in bodies if "refresh_token" not in body)
        assert server.get("/api/v1/me", token=graced["access_token"]).status_code == 200
    assert len(answered_by) > 1, "the races never reached more than one worker"
    assert sql.count("sessions", "revoked_at IS NULL") == 5


def test_reuse_after_grace_revokes_session_across_workers(gunicorn, make_user, sql):
    server = gunicorn(REFRESH_REUSE_GRACE_SECONDS="0")
    user = make_user()
    first = login(server, user.email)
    other_device = login(server, user.email)
    session_id = server.claims(first["refresh_token"])["sid"]

    rotated = server.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200 and "refresh_token" in rotated.json(), rotated.text
    workers = server.worker_pids()
    access_tokens = (first["access_token"], rotated.json()["access_token"])
    for access in access_tokens:  # every worker has accepted both access tokens before the reuse
        assert on_every_worker(server, "warm", get_me(server, access), accepted) == workers

    reused = server.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_http_problem(reused, 401, "refresh_token_reused")
    assert sql.scalar("SELECT revoked_at IS NOT NULL FROM sessions WHERE id = :s", s=session_id) is True

    successor = rotated.json()["refresh_token"]
    assert on_every_worker(server, "successor", post_refresh(server, successor), expect_revoked) == workers
    for access in access_tokens:
        assert on_every_worker(server, "access", get_me(server, access), expect_revoked) == workers
    # Only that session ended: the user's other device still works, and nothing rotated after the reuse.
    assert server.get("/api/v1/me", token=other_device["access_token"]).status_code == 200
    assert sql.scalar("SELECT token_version FROM users WHERE id = :u", u=user.id) == 0
    assert sql.count("refresh_tokens", "session_id = :s", s=session_id) == 2


def _failed_logins(server, count: int, email_of, headers_of=lambda index: {}) -> tuple[list, set[int]]:
    """`count` parallel logins with a wrong password → (responses, pids of the workers that answered)."""
    ids = [new_request_id("login") for _ in range(count)]
    responses = fire_together([
        partial(server.post, "/api/v1/auth/login", json={"email": email_of(index), "password": "not the password"},
                request_id=request_id, headers=headers_of(index))
        for index, request_id in enumerate(ids)])
    return responses, set(server.served_by(ids).values())


def _assert_five_then_limited(responses) -> None:
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * 5 + [429] * 7, statuses
    for response in responses:
        if response.status_code == 401:
            assert_http_problem(response, 401, "invalid_credentials")
        else:
            assert_http_problem(response, 429, "rate_limited")
            # The window is 60 s; Flask-Limiter's reset_at and errors._retry_after each round up once.
            assert 1 <= int(response.headers["Retry-After"]) <= 61, response.headers


def test_login_limit_is_shared_across_workers(gunicorn, redis_url, redis_keys, make_user, sql):
    server = gunicorn(RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_LOGIN="5 per minute")
    user = make_user()

    responses, answered_by = _failed_logins(server, 12, lambda index: user.email)

    _assert_five_then_limited(responses)
    assert len(answered_by) > 1, "all the logins reached one worker; the test proves nothing"
    assert redis_keys(), "the limiter did not count in Redis"
    assert sql.count("sessions") == 0


def test_untrusted_x_forwarded_for_does_not_reset_limit(gunicorn, redis_url, redis_keys):
    server = gunicorn(RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_LOGIN="5 per minute")

    # A different claimed client address and a different account on every attempt.
    responses, _ = _failed_logins(server, 12, lambda index: f"nobody{index}@example.com",
                                  lambda index: {"X-Forwarded-For": f"198.51.100.{index + 1}"})

    _assert_five_then_limited(responses)
    keys = redis_keys()
    assert any("127.0.0.1" in key for key in keys), keys
    assert not any("198.51.100." in key for key in keys), keys
