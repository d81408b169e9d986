"""A lowered role or a removed member is refused on the very next request by every worker of a real
`gunicorn -w 4` on PostgreSQL, with and without the Redis auth state."""
from __future__ import annotations

from functools import partial

import pytest
import requests

from tests.conftest import PASSWORD
from tests.integration.conftest import TIMEOUT, assert_http_problem, fire_together, new_request_id, on_every_worker

pytestmark = pytest.mark.gunicorn

NEXT_REQUESTS = 20


def _token(server, email: str) -> str:
    response = server.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _send(server, method: str, path: str, token: str, **kwargs) -> requests.Response:
    return requests.request(method, server.base_url + path, headers={"Authorization": f"Bearer {token}"},
                            timeout=TIMEOUT, **kwargs)


@pytest.fixture
def shared(gunicorn, make_user, request):
    """(server, ledger path, owner's token, B's token, B's id): A's ledger with B as an editor; B's requests
    have been accepted by every worker (and, with Redis, the copy of B's membership is warm)."""
    env = {"AUTH_STATE_URL": request.getfixturevalue("redis_url")} if request.param else {}
    server = gunicorn(**env)
    a, b = make_user(), make_user()
    owner, member = _token(server, a.email), _token(server, b.email)
    invite = _send(server, "POST", f"/api/v1/ledgers/{a.ledger_id}/invites", owner, json={"role": "editor"})
    assert invite.status_code == 201, invite.text
    assert _send(server, "POST", f"/api/v1/invites/{invite.json()['token']}/accept", member).status_code == 200
    path = f"/api/v1/ledgers/{a.ledger_id}"

    def send(request_id: str) -> requests.Response:
        return server.post(f"{path}/accounts", token=member, request_id=request_id,
                           json={"name": f"warm {request_id}", "type": "bank"})

    def accepted(response) -> None:
        assert response.status_code == 201, response.text

    workers = server.worker_pids()
    assert on_every_worker(server, "warm", send, accepted) == workers
    return server, path, owner, member, b.id


def _next_requests(server, tag: str, send) -> tuple[list[requests.Response], set[int]]:
    """B's next 20 requests, all at once: (the answers, the pids of the workers that gave them)."""
    ids = [new_request_id(tag) for _ in range(NEXT_REQUESTS)]
    responses = fire_together([partial(send, request_id) for request_id in ids])
    return responses, set(server.served_by(ids).values())


@pytest.mark.parametrize("shared", [False, True], ids=["database", "redis-auth-state"], indirect=True)
def test_a_lowered_role_is_refused_by_every_worker(shared, sql):
    server, path, owner, member, member_id = shared
    assert _send(server, "PATCH", f"{path}/members/{member_id}", owner, json={"role": "viewer"}).status_code == 200

    responses, answered_by = _next_requests(server, "viewer", lambda request_id: server.post(
        f"{path}/accounts", token=member, request_id=request_id, json={"name": f"late {request_id}", "type": "bank"}))

    for response in responses:
        assert_http_problem(response, 403, "forbidden_role")
    assert len(answered_by) > 1, "all the requests reached one worker; the test proves nothing"
    assert sql.count("accounts", "name LIKE 'late %'") == 0
    assert server.get(f"{path}/accounts", token=member).status_code == 200  # a viewer still reads


@pytest.mark.parametrize("shared", [False, True], ids=["database", "redis-auth-state"], indirect=True)
def test_a_removed_member_is_refused_by_every_worker(shared, sql):
    server, path, owner, member, member_id = shared
    assert _send(server, "DELETE", f"{path}/members/{member_id}", owner).status_code == 204

    reads, read_by = _next_requests(server, "read", lambda request_id: server.get(
        f"{path}/entries", token=member, request_id=request_id))
    writes, written_by = _next_requests(server, "write", lambda request_id: server.post(
        f"{path}/accounts", token=member, request_id=request_id, json={"name": f"late {request_id}", "type": "bank"}))

    for response in reads + writes:
        assert_http_problem(response, 404, "not_found")
    assert len(read_by) > 1 and len(written_by) > 1, "all the requests reached one worker; the test proves nothing"
    assert sql.count("accounts", "name LIKE 'late %'") == 0
