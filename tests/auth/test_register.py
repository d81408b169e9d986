"""POST /api/v1/auth/register."""
import re

import pytest

from ledger.provisioning import DEFAULT_CATEGORIES
from tests.auth.helpers import REGISTER
from tests.conftest import PASSWORD, assert_problem

USER_FIELDS = {"id", "email", "display_name", "currency", "month_start_day", "created_at", "default_ledger_id"}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def register(client, **body):
    body.setdefault("email", "new@example.com")
    body.setdefault("password", PASSWORD)
    return client.post(REGISTER, json=body)


def test_register_answers_201_with_the_user_object(client, sql):
    response = register(client, email="New@Example.com", display_name="Newbie", currency="usd")

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == USER_FIELDS
    assert body["email"] == "new@example.com"
    assert body["display_name"] == "Newbie"
    assert body["currency"] == "USD"
    assert body["month_start_day"] == 1
    assert ISO_UTC.match(body["created_at"])
    row = sql.rows("SELECT u.id, u.email, l.currency, u.token_version, u.is_active, l.id AS ledger_id FROM users u "
                   "JOIN ledgers l ON l.id = u.default_ledger_id")
    assert len(row) == 1 and tuple(row[0])[:3] == (body["id"], "new@example.com", "USD")
    assert body["default_ledger_id"] == row[0].ledger_id
    assert sql.rows("SELECT ledger_id, user_id, role FROM ledger_members") == [(row[0].ledger_id, body["id"], "owner")]
    assert sql.scalar("SELECT name FROM ledgers") == "Newbie's ledger"
    assert row[0].token_version == 0 and row[0].is_active


def test_register_defaults_display_name_and_currency(client):
    body = register(client, email="plain@example.com").get_json()

    assert body["display_name"] == "plain"
    assert body["currency"] == "KRW"


def test_register_stores_an_argon2id_hash_never_the_password(client, sql):
    register(client)

    stored = sql.scalar("SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_register_gives_the_new_user_a_cash_account_and_default_categories(client, sql):
    ledger_id = register(client).get_json()["default_ledger_id"]

    accounts = sql.rows("SELECT name, type FROM accounts WHERE ledger_id = :u", u=ledger_id)
    assert [tuple(a) for a in accounts] == [("Cash", "cash")]
    categories = sql.rows("SELECT name, kind FROM categories WHERE ledger_id = :u", u=ledger_id)
    assert sorted(tuple(c) for c in categories) == sorted((en, kind) for en, _, kind, _ in DEFAULT_CATEGORIES)


def test_register_email_taken_in_another_case_is_conflict(client, make_user, sql):
    make_user(email="taken@example.com")

    response = register(client, email="TAKEN@example.COM")

    assert_problem(response, 409, "conflict")
    assert sql.count("users") == 1


@pytest.mark.parametrize(("password", "why"), [
    ("short pass1", "at least 12"),
    ("x" * 257, "at most 256"),
    ("qwerty123456", "too common"),
    ("QWERTY123456", "too common"),
    ("longname@example.com", "email"),
    ("LongName@Example.com", "email"),
])
def test_register_refuses_a_weak_password(client, sql, password, why):
    response = register(client, email="longname@example.com", password=password)

    body = assert_problem(response, 422, "validation_error")
    assert list(body["errors"]) == ["password"]
    assert any(why in message for message in body["errors"]["password"]), body
    assert sql.count("users") == 0


def test_register_accepts_exactly_12_and_256_characters(client, sql):
    assert register(client, email="a@example.com", password="k" * 11 + "!").status_code == 201
    assert register(client, email="b@example.com", password="k" * 255 + "!").status_code == 201
    assert sql.count("users") == 2


def test_register_refuses_unknown_fields(client, sql):
    response = register(client, is_admin=True)

    body = assert_problem(response, 422, "validation_error")
    assert "is_admin" in body["errors"]
    assert sql.count("users") == 0


@pytest.mark.parametrize("currency", ["XYZ", "US", "EURO", "12$"])
def test_register_refuses_an_unknown_currency(client, sql, currency):
    response = register(client, currency=currency)

    body = assert_problem(response, 422, "validation_error")
    assert "currency" in body["errors"]
    assert sql.count("users") == 0


@pytest.mark.parametrize("field", ["email", "password"])
def test_register_requires_email_and_password(client, sql, field):
    body = {"email": "new@example.com", "password": PASSWORD}
    del body[field]

    response = client.post(REGISTER, json=body)

    assert field in assert_problem(response, 422, "validation_error")["errors"]
    assert sql.count("users") == 0


def test_register_refuses_a_malformed_email(client, sql):
    response = register(client, email="not-an-email")

    assert "email" in assert_problem(response, 422, "validation_error")["errors"]
    assert sql.count("users") == 0


def test_register_when_closed_is_403_registration_closed(make_app, sql):
    closed = make_app(REGISTRATION_OPEN=False)

    response = register(closed.test_client())

    assert_problem(response, 403, "registration_closed")
    assert sql.count("users") == 0
    assert sql.count("accounts") == 0


# --- defaults named in the person's language (API.md §2: `locale`, else Accept-Language) ----------------------

KOREAN_CATEGORIES = {"식비", "카페·간식", "교통", "주거", "공과금", "통신", "의료", "교육", "쇼핑", "여가", "경조사",
                     "기타 지출", "급여", "부수입", "이자", "기타 수입"}


def _defaults(sql, email: str) -> tuple[set[str], set[str]]:
    ledger_id = sql.scalar("SELECT default_ledger_id FROM users WHERE email = :e", e=email)
    accounts = {row[0] for row in sql.rows("SELECT name FROM accounts WHERE ledger_id = :u", u=ledger_id)}
    categories = {row[0] for row in sql.rows("SELECT name FROM categories WHERE ledger_id = :u", u=ledger_id)}
    return accounts, categories


@pytest.mark.parametrize(("body", "accept_language", "korean"), [
    ({"locale": "ko"}, None, True),
    ({"locale": "en"}, "ko-KR,ko;q=0.9", False),  # the body wins
    ({}, "ko-KR,ko;q=0.9,en-US;q=0.8", True),
    ({}, "ko", True),
    ({}, "en-US,ko;q=0.9", False),  # the most preferred language decides
    ({}, "*", False),
    ({}, None, False),
])
def test_a_new_user_gets_default_categories_and_a_cash_account_in_their_language(client, sql, body,
                                                                                  accept_language, korean):
    email = "lang@example.com"
    headers = {"Accept-Language": accept_language} if accept_language else {}

    response = client.post(REGISTER, json={"email": email, "password": PASSWORD, **body}, headers=headers)

    assert response.status_code == 201, response.get_json()
    accounts, categories = _defaults(sql, email)
    assert accounts == ({"현금"} if korean else {"Cash"})
    assert (categories == KOREAN_CATEGORIES) is korean and len(categories) == 16


def test_an_unknown_locale_is_a_validation_error_and_creates_nothing(client, sql):
    response = client.post(REGISTER, json={"email": "x@example.com", "password": PASSWORD, "locale": "fr"})

    assert_problem(response, 422, "validation_error")
    assert "locale" in response.get_json()["errors"] and sql.count("users") == 0
