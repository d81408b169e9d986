"""Signing-key rotation without signing everyone out (JWT_SECRET_KEYS, API.md §6).

The first listed key signs and names itself in the header's `kid`; every listed key verifies the tokens
that name it; a key removed from the list invalidates its tokens at once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from ledger.auth.keys import key_id
from tests.auth.helpers import ME, REFRESH, bearer, claims_of, fresh_claims
from tests.conftest import assert_problem, login_body

OLD = "the-old-signing-key-of-at-least-32-bytes-000"
NEW = "the-new-signing-key-of-at-least-32-bytes-111"


def header_of(token: str) -> dict:
    segment = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


@pytest.fixture
def keyed(app, make_app):
    """keyed(*keys) → an app (same database) whose JWT_SECRET_KEYS are `keys`."""
    return lambda *keys: make_app(JWT_SECRET_KEYS=list(keys))


def test_tokens_name_the_signing_key_and_an_older_listed_key_still_verifies(keyed, user):
    before = keyed(OLD).test_client()
    old_token = login_body(before, user)["access_token"]
    assert header_of(old_token)["kid"] == key_id(OLD)

    after = keyed(NEW, OLD).test_client()
    new_token = login_body(after, user)["access_token"]

    assert header_of(new_token)["kid"] == key_id(NEW)
    assert after.get(ME, headers=bearer(old_token)).status_code == 200
    assert after.get(ME, headers=bearer(new_token)).status_code == 200


def test_a_refresh_token_of_the_older_key_rotates_into_one_of_the_new_key(keyed, user):
    before = keyed(OLD).test_client()
    body = login_body(before, user)
    after = keyed(NEW, OLD).test_client()
    refresh = before.get_cookie("refresh_token", path="/api/v1/auth").value
    after.set_cookie("refresh_token", refresh, path="/api/v1/auth")

    response = after.post(REFRESH, headers={"X-CSRF-TOKEN": body["csrf_token"]})

    assert response.status_code == 200, response.get_json()
    assert header_of(after.get_cookie("refresh_token", path="/api/v1/auth").value)["kid"] == key_id(NEW)


def test_a_key_removed_from_the_list_invalidates_its_tokens_at_once(keyed, user):
    old_token = login_body(keyed(OLD).test_client(), user)["access_token"]

    response = keyed(NEW).test_client().get(ME, headers=bearer(old_token))

    assert_problem(response, 401, "invalid_token")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed(claims: dict, key: str, headers: dict | None) -> str:
    """An HS256 JWS by hand: PyJWT would refuse to write some of these headers."""
    header = {"alg": "HS256", "typ": "JWT", **(headers or {})}
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


@pytest.mark.parametrize("headers", [
    None,                                     # no kid, and two keys are listed
    {"kid": "0123456789abcdef"},              # unknown
    {"kid": "../../../etc/passwd"},           # a path
    {"kid": "https://evil.example/key.pem"},  # a URL
    {"kid": key_id(OLD) + "/../x"},
    {"kid": ""}, {"kid": 7}, {"kid": [key_id(NEW)]}, {"kid": {"k": NEW}},
], ids=["missing", "unknown", "path", "url", "suffixed", "empty", "number", "list", "object"])
def test_kid_tricks_are_invalid_token(keyed, user, headers):
    client = keyed(NEW, OLD).test_client()
    claims = fresh_claims(claims_of(login_body(client, user)["access_token"]))

    response = client.get(ME, headers=bearer(_signed(claims, NEW, headers)))

    assert_problem(response, 401, "invalid_token")


def test_a_kid_naming_one_key_on_a_token_signed_with_another_is_invalid_token(keyed, user):
    client = keyed(NEW, OLD).test_client()
    claims = fresh_claims(claims_of(login_body(client, user)["access_token"]))

    response = client.get(ME, headers=bearer(_signed(claims, OLD, {"kid": key_id(NEW)})))

    assert_problem(response, 401, "invalid_token")


def test_the_hand_made_signer_makes_tokens_the_server_accepts(keyed, user):
    """The tricks above are refused for their kid, not for a flaw of the signer."""
    client = keyed(NEW, OLD).test_client()
    claims = fresh_claims(claims_of(login_body(client, user)["access_token"]))

    assert client.get(ME, headers=bearer(_signed(claims, OLD, {"kid": key_id(OLD)}))).status_code == 200


def test_with_one_key_a_token_without_kid_is_still_accepted(keyed, user):
    """Tokens issued before kids existed, under a single JWT_SECRET_KEY, keep working until they expire."""
    client = keyed(OLD).test_client()
    claims = fresh_claims(claims_of(login_body(client, user)["access_token"]))

    assert client.get(ME, headers=bearer(_signed(claims, OLD, None))).status_code == 200
