"""Hostile input to every endpoint that takes input (issue 4, item 5).

Each case must answer a 4xx problem+json with the expected `code` -- never a 5xx -- and change nothing: every
test compares every table's rows before and after the request. The per-field cases are derived from the
marshmallow schemas the routes load with, so a field added to a schema is attacked without editing this file.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from itsdangerous import URLSafeSerializer
from marshmallow import Schema, fields, validate

from ledger.accounts.schemas import AccountCreateSchema, AccountListQuerySchema, AccountPatchSchema
from ledger.auth.schemas import (
    DeleteMeSchema,
    LoginSchema,
    PasswordChangeSchema,
    ProfilePatchSchema,
    RefreshBodySchema,
    RegisterSchema,
)
from ledger.budgets.schemas import BudgetPutSchema
from ledger.categories.schemas import (
    CategoryCreateSchema,
    CategoryDeleteQuerySchema,
    CategoryListQuerySchema,
    CategoryPatchSchema,
)
from ledger.entries.csv_routes import ImportQuerySchema
from ledger.entries.schemas import EntryCreateSchema, EntryFilterSchema, EntryListQuerySchema, EntryPatchSchema
from ledger.reports.schemas import MonthlyQuerySchema, TrendQuerySchema
from ledger.schemas import Month
from tests.conftest import PASSWORD, AuthActions, assert_problem, login_body
from tests.hostile.conftest import TABLES, Ref, World, snapshot

MIB = 1048576  # MAX_CONTENT_LENGTH of the testing config
HUGE = 1_000_000  # a 1 MB string still fits in a body under MAX_CONTENT_LENGTH
NEW_PASSWORD = "another long passphrase 99"
SQL_METACHARACTERS = ("'; DROP TABLE entries; --", '" OR 1=1 --')
BAD_IDS = (0, -1, 2**31, 2**63, 10**30)
BAD_DATES = ("0000-01-01", "10000-01-01", "2026-02-30", "2026-13-01")
BAD_MONTHS = ("0000-01", "10000-01", "9999-12", "2026-13", "2026-00", "2026-1", "2026-11-01", "2026-11\n",
              "\uff12\uff10\uff12\uff16-11", "abc")
BAD_PATH_IDS = ("0", "-1", str(2**31), str(2**63), str(10**30), "abc", "1.5", "%00", "\uff11")
CSV_HEADER = "occurred_on,type,account,to_account,category,amount,memo,tags\r\n"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # "{entry}", "{bank}", ... are filled from World.ids
    body_schema: type[Schema] | None = None
    body: dict | None = None  # a valid body; the cases change one thing in it
    query_schema: type[Schema] | None = None
    query: dict | None = None  # valid query parameters
    refresh: bool = False  # served by the app with REFRESH_TOKEN_TRANSPORT=body
    csv: bool = False  # the body is text/csv


_ENTRY = {"type": "expense", "amount": 1500, "occurred_on": "2026-11-21", "account_id": Ref("cash"),
          "to_account_id": None, "category_id": Ref("food"), "memo": "lunch", "tags": ["work"]}

BODY_ENDPOINTS: dict[str, Endpoint] = {
    "register": Endpoint("POST", "/auth/register", RegisterSchema,
                         {"email": "new.user@example.com", "password": NEW_PASSWORD, "display_name": "New",
                          "currency": "USD"}),
    "login": Endpoint("POST", "/auth/login", LoginSchema, {"email": Ref("email"), "password": PASSWORD}),
    "refresh": Endpoint("POST", "/auth/refresh", RefreshBodySchema, {"refresh_token": Ref("refresh_token")},
                        refresh=True),
    "me_patch": Endpoint("PATCH", "/me", ProfilePatchSchema, {"display_name": "Renamed", "month_start_day": 25}),
    "me_password": Endpoint("POST", "/me/password", PasswordChangeSchema,
                            {"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    "me_delete": Endpoint("DELETE", "/me", DeleteMeSchema, {"password": PASSWORD}),
    "account_create": Endpoint("POST", "/accounts", AccountCreateSchema,
                               {"name": "Savings", "type": "bank", "opening_balance": 100}),
    "account_patch": Endpoint("PATCH", "/accounts/{bank}", AccountPatchSchema, {"name": "Renamed", "archived": True}),
    "category_create": Endpoint("POST", "/categories", CategoryCreateSchema,
                                {"name": "Pets", "kind": "expense", "parent_id": Ref("food"), "color": "#123456"}),
    "category_patch": Endpoint("PATCH", "/categories/{spare}", CategoryPatchSchema,
                               {"name": "Renamed", "color": "#123456", "archived": True}),
    "entry_create": Endpoint("POST", "/entries", EntryCreateSchema, _ENTRY),
    "entry_patch": Endpoint("PATCH", "/entries/{entry}", EntryPatchSchema,
                            {**_ENTRY, "account_id": Ref("bank"), "memo": "moved", "tags": ["x"]}),
    "budget_put": Endpoint("PUT", "/budgets/2026-11", BudgetPutSchema,
                           {"items": [{"category_id": Ref("food"), "amount": 1000}]}),
}

QUERY_ENDPOINTS: dict[str, Endpoint] = {
    "entry_list": Endpoint("GET", "/entries", query_schema=EntryListQuerySchema, query={}),
    "export": Endpoint("GET", "/entries/export.csv", query_schema=EntryFilterSchema, query={}),
    "category_delete": Endpoint("DELETE", "/categories/{spare}", query_schema=CategoryDeleteQuerySchema, query={}),
    "category_list": Endpoint("GET", "/categories", query_schema=CategoryListQuerySchema, query={}),
    "account_list": Endpoint("GET", "/accounts", query_schema=AccountListQuerySchema, query={}),
    "monthly": Endpoint("GET", "/reports/monthly", query_schema=MonthlyQuerySchema, query={"month": "2026-11"}),
    "trend": Endpoint("GET", "/reports/trend", query_schema=TrendQuerySchema,
                      query={"from": "2026-01", "to": "2026-11"}),
    "import": Endpoint("POST", "/entries/import", query_schema=ImportQuerySchema, query={}, csv=True),
}

ENDPOINTS = {**BODY_ENDPOINTS, **QUERY_ENDPOINTS}
VALID_CSV = CSV_HEADER + "2026-11-20,expense,Cash,,Food,1000,imported,\r\n"


ENDPOINTS.update({
    **{f"{r}_get": Endpoint("GET", f"/{r}s/{{}}") for r in ("account", "entry")},
    **{f"{r}_delete_by_id": Endpoint("DELETE", f"/{r}s/{{}}") for r in ("account", "entry")},
    "category_get": Endpoint("GET", "/categories/{}"),
    "category_delete_by_id": Endpoint("DELETE", "/categories/{}"),
    "session_delete": Endpoint("DELETE", "/auth/sessions/{}"),
    "budget_get": Endpoint("GET", "/budgets/{}"),
})


# --- sending requests and checking that they were refused without effect --------------------------------------


@dataclass(frozen=True)
class Req:
    """One hostile request: the endpoint, and what replaces its valid body, query or path."""

    endpoint: str
    body: Callable[[World], bytes] | None = None  # None: the endpoint's valid body
    query: Callable[[World], dict] | None = None  # None: the endpoint's valid query
    path: str | None = None  # replaces the endpoint's path template
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


def prepare(world: World, request: pytest.FixtureRequest, endpoint: str):
    """The client to send requests to `endpoint` with (run before the snapshot: logging in writes rows)."""
    if not ENDPOINTS[endpoint].refresh:
        return world.client
    client = request.getfixturevalue("body_client")
    world.ids["refresh_token"] = login_body(client, world.user)["refresh_token"]
    return client


def send(world: World, client, req: Req):
    endpoint = ENDPOINTS[req.endpoint]
    if req.body is not None:
        data = req.body(world)
    elif endpoint.csv:
        data = VALID_CSV.encode()
    elif endpoint.body is not None:
        data = json.dumps(world.resolve(endpoint.body)).encode()
    else:
        data = None
    content_type = req.content_type or ("text/csv" if endpoint.csv else "application/json" if data is not None
                                        else None)
    query = req.query(world) if req.query is not None else dict(endpoint.query or {})
    path = world.path(req.path or endpoint.path)
    headers = {**world.headers, **dict(req.headers)}
    return client.open(path, method=endpoint.method, data=data, content_type=content_type, query_string=query,
                       headers=headers)


def assert_refused_without_effect(world: World, request, endpoint: str, reqs: dict[str, Req], status: int,
                                  code: str, field: str | None = None) -> None:
    """Each request (label → Req, all to `endpoint`) is a `status` problem+json with `code` (and `field` among
    its errors), and every table is exactly as before, after each of them."""
    client = prepare(world, request, endpoint)
    before = snapshot(world.sql)
    for label, req in reqs.items():
        response = send(world, client, req)

        text = response.get_data(as_text=True)[:500]
        assert response.status_code == status, f"{label}: {response.status_code} {text}"
        body = assert_problem(response, status, code)
        if field is not None:
            assert field in body.get("errors", {}), f"{label}: {body}"
        assert snapshot(world.sql) == before, f"{label} changed the database"


def _dump(value: Any) -> bytes:
    return json.dumps(value).encode()


def with_field(endpoint: str, name: str, value: Any) -> Callable[[World], bytes]:
    """The endpoint's valid body with `name` set to `value` (resolved when the request is built)."""
    return lambda world: _dump({**world.resolve(BODY_ENDPOINTS[endpoint].body), name: world.resolve(value)})


# A valid item of a list the valid bodies leave out (an entry's split lines), for the cases on its fields.
LIST_ITEMS: dict[str, dict[str, Any]] = {"lines": {"amount": 1500, "category_id": Ref("food"), "memo": "part"}}


def with_item_field(endpoint: str, list_name: str, name: str, value: Any) -> Callable[[World], bytes]:
    """The valid body with `name` of the first item of the list `list_name` set to `value`."""

    def build(world: World) -> bytes:
        body = world.resolve(BODY_ENDPOINTS[endpoint].body)
        first = body[list_name][0] if body.get(list_name) else world.resolve(LIST_ITEMS[list_name])
        body[list_name] = [{**first, name: world.resolve(value)}]
        return _dump(body)

    return build


def raw(data: bytes) -> Callable[[World], bytes]:
    return lambda world: data


def params(name: str, value: str, base: dict | None = None) -> Callable[[World], dict]:
    return lambda world: {**(base or {}), name: value}


def _label(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:20] + "..."


# --- body fields, derived from the schemas ---------------------------------------------------------------------


def load_fields(schema: type[Schema] | Schema) -> Iterator[tuple[str, fields.Field]]:
    """(name on the wire, field) of every field a schema loads."""
    instance = schema() if isinstance(schema, type) else schema
    for name, field in instance.fields.items():
        if not field.dump_only:
            yield field.data_key or name, field


def _validators(field: fields.Field, kind: type) -> list:
    return [v for v in field.validators if isinstance(v, kind)]


def wrong_types(field: fields.Field) -> list[Any]:
    """JSON values of the wrong type for `field`."""
    if isinstance(field, fields.List):
        values: list[Any] = ["x", 1, {"a": 1}, True]
        values += [[[]], ["x"]] if isinstance(field.inner, fields.Nested) else [[v] for v in wrong_types(field.inner)]
    elif isinstance(field, fields.Boolean):
        values = ["true", 1, 0, [], {}]
    elif isinstance(field, fields.Integer):
        values = ["1", 1.5, 1.0, True, "abc", [], {}]
    elif isinstance(field, fields.Date):
        values = [20261120, True, "20 Nov 2026", "2026-11-20T00:00:00Z", [], {}]
    elif isinstance(field, fields.String):
        values = [123, 1.5, True, [], {}]
    else:
        raise AssertionError(f"no wrong types known for {field!r}")
    if not field.allow_none:
        values.append(None)
    return values


def out_of_range(field: fields.Field, name: str) -> list[Any]:
    """Integers just outside each Range validator, -1, and far outside (BAD_IDS for ids); BAD_DATES for dates."""
    if isinstance(field, fields.Date):
        return list(BAD_DATES)
    if not isinstance(field, fields.Integer):
        return []
    values: set[int] = {10**30, -(10**30)}
    for rule in _validators(field, validate.Range):
        values |= {rule.min - 1} if rule.min is not None else set()
        values |= {-1} if rule.min is not None and rule.min >= 0 else set()
        values |= {rule.max + 1} if rule.max is not None else set()
    if name.endswith("_id"):
        values |= set(BAD_IDS)
    return sorted(values)


def is_text(field: fields.Field) -> bool:
    return isinstance(field, fields.String) or (isinstance(field, fields.List)
                                                and isinstance(field.inner, fields.String))


def as_list_if_needed(field: fields.Field, value: str) -> Any:
    return [value] if isinstance(field, fields.List) else value


@dataclass(frozen=True)
class BodyField:
    endpoint: str
    reported: str  # the key of `errors` that names it ("items" for a field of a budget item)
    label: str  # "items[0].category_id"
    field: fields.Field

    def body(self, value: Any) -> Callable[[World], bytes]:
        if "." in self.label:
            list_name, name = self.reported, self.label.rsplit(".", 1)[1]
            return with_item_field(self.endpoint, list_name, name, value)
        return with_field(self.endpoint, self.label, value)

    def cases(self, values: list[Any]) -> dict[str, Req]:
        return {f"{self.label}={_label(v)}": Req(self.endpoint, body=self.body(v)) for v in values}


def body_fields() -> Iterator[BodyField]:
    """Every loaded field of every body schema, and the fields of list items (budget items)."""
    for key, endpoint in BODY_ENDPOINTS.items():
        for name, field in load_fields(endpoint.body_schema):
            if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
                for sub, sub_field in load_fields(field.inner.schema):
                    yield BodyField(key, name, f"{name}[0].{sub}", sub_field)
            yield BodyField(key, name, name, field)


def field_params(predicate: Callable[[BodyField], bool] = lambda f: True) -> list:
    return [pytest.param(f, id=f"{f.endpoint}-{f.label}") for f in body_fields() if predicate(f)]


@pytest.mark.parametrize("target", field_params())
def test_a_body_field_of_the_wrong_type_is_422_naming_it(world, request, target):
    assert_refused_without_effect(world, request, target.endpoint, target.cases(wrong_types(target.field)),
                                  422, "validation_error", target.reported)


@pytest.mark.parametrize("target", field_params(lambda f: bool(out_of_range(f.field, f.label.rsplit(".")[-1]))))
def test_an_out_of_range_body_value_is_422_naming_it(world, request, target):
    values = out_of_range(target.field, target.label.rsplit(".")[-1])

    assert_refused_without_effect(world, request, target.endpoint, target.cases(values), 422, "validation_error",
                                  target.reported)


@pytest.mark.parametrize("target", field_params(lambda f: is_text(f.field)))
def test_a_nul_character_in_a_body_string_is_422_naming_it(world, request, target):
    values = [as_list_if_needed(target.field, v) for v in ("ab\x00cd", "\x00")]

    assert_refused_without_effect(world, request, target.endpoint, target.cases(values), 422, "validation_error",
                                  target.reported)


@pytest.mark.parametrize("target", field_params(lambda f: is_text(f.field)))
def test_a_1_mb_body_string_is_422_naming_it(world, request, target):
    # register's password has no length rule in the schema: the password rules (at most 256) refuse it.
    values = [as_list_if_needed(target.field, "a" * HUGE)]

    assert_refused_without_effect(world, request, target.endpoint, target.cases(values), 422, "validation_error",
                                  target.reported)


# --- whole bodies ----------------------------------------------------------------------------------------------


def _deep_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _deep_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


UNPARSEABLE = {
    "truncated": b'{"name": ',
    "single-quotes": b"{'name': 'x'}",
    "trailing-comma": b'{"name": "x",}',
    "two-documents": b'{"name": "x"} {"name": "y"}',
    "invalid-utf8": b'{"name": "\xc3\x28"}',
    "surrogate-bytes": b'{"name": "\xed\xa0\x80"}',
    "latin1": b'{"name": "caf\xe9"}',
    "deep-array-10000": _deep_array(10_000),
    "deep-object-10000": _deep_object(10_000),
    "deep-in-a-field": b'{"name": ' + _deep_array(10_000) + b"}",
}


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
def test_an_unparseable_body_is_400_invalid_json(world, request, endpoint):
    reqs = {kind: Req(endpoint, body=raw(data)) for kind, data in UNPARSEABLE.items()}

    assert_refused_without_effect(world, request, endpoint, reqs, 400, "invalid_json")


TOP_LEVEL = {"list": lambda body: [body], "string": lambda body: "a string", "number": lambda body: 42,
             "null": lambda body: None, "true": lambda body: True, "empty-list": lambda body: []}


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
def test_a_body_that_is_not_an_object_is_422(world, request, endpoint):
    reqs = {kind: Req(endpoint, body=lambda world, make=make: _dump(make(world.resolve(ENDPOINTS[endpoint].body))))
            for kind, make in TOP_LEVEL.items()}

    assert_refused_without_effect(world, request, endpoint, reqs, 422, "validation_error")


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
@pytest.mark.parametrize("unknown", ["is_admin", "user_id", "id", "__proto__"])
def test_an_unknown_body_field_is_422_naming_it(world, request, endpoint, unknown):
    reqs = {unknown: Req(endpoint, body=with_field(endpoint, unknown, 1))}

    assert_refused_without_effect(world, request, endpoint, reqs, 422, "validation_error", unknown)


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
def test_a_body_over_max_content_length_is_413(world, request, endpoint):
    reqs = {"1 MiB + valid": Req(endpoint, body=lambda world: _dump({**world.resolve(ENDPOINTS[endpoint].body),
                                                                     "pad": "a" * MIB}))}

    assert_refused_without_effect(world, request, endpoint, reqs, 413, "payload_too_large")


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
def test_a_json_body_under_another_media_type_is_415(world, request, endpoint):
    reqs = {media: Req(endpoint, content_type=media)
            for media in ("text/plain", "application/x-www-form-urlencoded", "text/csv", "application/xml")}

    assert_refused_without_effect(world, request, endpoint, reqs, 415, "unsupported_media_type")


@pytest.mark.parametrize("endpoint", [k for k, e in BODY_ENDPOINTS.items()
                                      if any(isinstance(f, fields.Integer) for _, f in load_fields(e.body_schema))])
def test_non_finite_numbers_are_422(world, request, endpoint):
    name = next(n for n, f in load_fields(ENDPOINTS[endpoint].body_schema) if isinstance(f, fields.Integer))

    def body(literal: str) -> Callable[[World], bytes]:
        return lambda world: json.dumps({**world.resolve(ENDPOINTS[endpoint].body), name: "__X__"}) \
            .replace('"__X__"', literal).encode()

    reqs = {literal: Req(endpoint, body=body(literal)) for literal in ("NaN", "Infinity", "-Infinity", "1e400")}
    assert_refused_without_effect(world, request, endpoint, reqs, 422, "validation_error", name)


# --- query parameters ------------------------------------------------------------------------------------------


def query_bad_values(field: fields.Field, name: str) -> list[str]:
    """Query-string values that `field` must refuse."""
    if isinstance(field, Month):
        return [*BAD_MONTHS, ""]
    if isinstance(field, fields.Date):
        return ["abc", "", "2026/11/20", "20261120", "2026-11-20T00:00:00", "2026-11-20\n", *BAD_DATES]
    if isinstance(field, fields.Boolean):
        return ["maybe", "2", "", "yes please"]
    if isinstance(field, fields.Integer):
        return ["abc", "", "1.5", "1e3", "0x10", "true", *map(str, out_of_range(field, name))]
    values = []
    for rule in _validators(field, validate.OneOf):
        values += ["bogus", "", str(next(iter(rule.choices))).upper()]
    for rule in _validators(field, validate.Length):
        values.append("a" * (rule.max + 1))
    if name == "tag":
        values += ["   ", "a" * 51]
    return values


def _nul_value(field: fields.Field) -> str:
    return "2026-11\x00" if isinstance(field, Month) else "2026-11-20\x00" if isinstance(field, fields.Date) \
        else "1\x00"


QUERY_PARAMS = [(key, name, field) for key, endpoint in QUERY_ENDPOINTS.items()
                for name, field in load_fields(endpoint.query_schema)]


@pytest.mark.parametrize(("endpoint", "name", "field"),
                         [pytest.param(k, n, f, id=f"{k}-{n}") for k, n, f in QUERY_PARAMS if n != "cursor"])
def test_a_malformed_query_parameter_is_422_naming_it(world, request, endpoint, name, field):
    base = QUERY_ENDPOINTS[endpoint].query
    reqs = {f"{name}={_label(v)}": Req(endpoint, query=params(name, v, base)) for v in query_bad_values(field, name)}

    assert_refused_without_effect(world, request, endpoint, reqs, 422, "validation_error", name)


@pytest.mark.parametrize(("endpoint", "name", "field"),
                         [pytest.param(k, n, f, id=f"{k}-{n}") for k, n, f in QUERY_PARAMS])
def test_a_nul_in_a_query_parameter_is_422_naming_it(world, request, endpoint, name, field):
    reqs = {name: Req(endpoint, query=params(name, _nul_value(field), QUERY_ENDPOINTS[endpoint].query))}

    assert_refused_without_effect(world, request, endpoint, reqs, 422, "validation_error", name)


@pytest.mark.parametrize(("endpoint", "base", "field"), [
    pytest.param("entry_list", {"from": "2026-11-02", "to": "2026-11-01"}, "to", id="entries-from-after-to"),
    pytest.param("export", {"from": "2026-11-02", "to": "2026-11-01"}, "to", id="export-from-after-to"),
    pytest.param("entry_list", {"min_amount": "6", "max_amount": "5"}, "max_amount", id="entries-min-over-max"),
    pytest.param("export", {"min_amount": "6", "max_amount": "5"}, "max_amount", id="export-min-over-max"),
    pytest.param("trend", {"from": "2026-02", "to": "2026-01"}, "to", id="trend-to-before-from"),
    pytest.param("trend", {"from": "2026-01", "to": "2036-01"}, "to", id="trend-121-months"),
])
def test_inconsistent_query_parameters_are_422(world, request, endpoint, base, field):
    reqs = {str(base): Req(endpoint, query=lambda world: dict(base))}

    assert_refused_without_effect(world, request, endpoint, reqs, 422, "validation_error", field)


@pytest.mark.parametrize("endpoint", QUERY_ENDPOINTS)
def test_an_unknown_query_parameter_is_422_naming_it(world, request, endpoint):
    for unknown in ("bogus", "user_id", "access_token"):
        reqs = {unknown: Req(endpoint, query=params(unknown, "1", QUERY_ENDPOINTS[endpoint].query))}
        assert_refused_without_effect(world, request, endpoint, reqs, 422, "validation_error", unknown)


def _real_cursor(world: World) -> str:
    response = world.client.get(world.path("/entries"), query_string={"limit": 1}, headers=world.headers)
    assert response.status_code == 200 and response.get_json()["next_cursor"], response.get_json()
    return response.get_json()["next_cursor"]


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def _signed(world: World, payload: Any, key: str | None = None) -> str:
    secret = key or world.client.application.config["SECRET_KEY"]
    return URLSafeSerializer(secret, salt="ledger.entries.cursor").dumps(payload)


FORGED_CURSORS: dict[str, Callable[[World], str]] = {
    "random": lambda world: "c2VjcmV0.bm90LWEtY3Vyc29y",
    "a-dot": lambda world: ".",
    "json": lambda world: '["2026-11-20", 1]',
    "non-ascii": lambda world: "\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9",
    "over-1000-chars": lambda world: "a" * 1001,
    "payload-tampered": lambda world: _flip(_real_cursor(world), 2),
    "signature-tampered": lambda world: _flip(_real_cursor(world), len(_real_cursor(world)) - 3),
    "truncated": lambda world: _real_cursor(world)[:-3],
    "signed-with-another-key": lambda world: _signed(world, ["2026-11-20", 1], key="another key, not the app's"),
    # Payloads the server never signs (making them takes its SECRET_KEY): still never a 5xx.
    "impossible-date": lambda world: _signed(world, ["2026-02-30", 1]),
    "id-as-string": lambda world: _signed(world, ["2026-11-20", "1"]),
    "id-true": lambda world: _signed(world, ["2026-11-20", True]),
    "id-2**31": lambda world: _signed(world, ["2026-11-20", 2**31]),
    "id-2**63": lambda world: _signed(world, ["2026-11-20", 2**63]),
    "id-10**30": lambda world: _signed(world, ["2026-11-20", 10**30]),
    "three-items": lambda world: _signed(world, ["2026-11-20", 1, 2]),
    "an-object": lambda world: _signed(world, {"occurred_on": "2026-11-20", "id": 1}),
}


@pytest.mark.parametrize("kind", FORGED_CURSORS)
def test_a_forged_cursor_is_422(world, request, make_entry, kind):
    make_entry(world.user, account_id=world.ids["cash"], category_id=world.ids["food"], memo="second")
    reqs = {kind: Req("entry_list", query=lambda world: {"cursor": FORGED_CURSORS[kind](world)})}

    assert_refused_without_effect(world, request, "entry_list", reqs, 422, "validation_error", "cursor")


def test_a_cursor_from_another_user_does_not_leak_their_entries(client, world, make_user, make_entry):
    other = make_user()
    other_cash = world.sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=other.ledger_id)
    other_food = world.sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'", u=other.ledger_id)
    theirs = {make_entry(other, account_id=other_cash, category_id=other_food, occurred_on=f"2026-10-{d:02d}")
              for d in range(1, 6)}
    older = make_entry(world.user, account_id=world.ids["cash"], category_id=world.ids["food"],
                       occurred_on="2026-09-01")
    other_auth = AuthActions(client.application.test_client())
    other_auth.login(other)
    their_cursor = other_auth.client.get("/api/v1/entries", query_string={"limit": 1},
                                         headers=other_auth.headers).get_json()["next_cursor"]

    response = client.get("/api/v1/entries", query_string={"cursor": their_cursor, "limit": 200},
                          headers=world.headers)

    # The cursor is only a position (date, id): it continues the caller's own list from there.
    assert response.status_code == 200
    seen = {item["id"] for item in response.get_json()["items"]}
    assert seen == {older} and not seen & theirs


# --- paths -----------------------------------------------------------------------------------------------------


PATH_ENDPOINTS = [f"{resource}_{action}" for resource in ("account", "category", "entry")
                  for action in ("get", "patch", "delete_by_id")]
PATH_TEMPLATES = {"account": "/accounts/{}", "category": "/categories/{}", "entry": "/entries/{}"}


@pytest.mark.parametrize("endpoint", PATH_ENDPOINTS)
def test_an_impossible_id_in_a_path_is_404(world, request, endpoint):
    template = PATH_TEMPLATES[endpoint.split("_")[0]]
    reqs = {bad: Req(endpoint, path=template.format(quote(bad, safe="%"))) for bad in BAD_PATH_IDS}

    assert_refused_without_effect(world, request, endpoint, reqs, 404, "not_found")


def test_an_impossible_session_id_is_404(world, request):
    reqs = {bad: Req("session_delete", path=f"/auth/sessions/{quote(bad, safe='%')}")
            for bad in (*BAD_PATH_IDS, "99999999999", "current%00", "CURRENT")}

    assert_refused_without_effect(world, request, "session_delete", reqs, 404, "not_found")


@pytest.mark.parametrize("endpoint", ["budget_get", "budget_put"])
def test_an_impossible_month_in_a_budget_path_is_422(world, request, endpoint):
    reqs = {month: Req(endpoint, path=f"/budgets/{quote(month, safe='%')}") for month in (*BAD_MONTHS, "2026-11%00")}

    assert_refused_without_effect(world, request, endpoint, reqs, 422, "validation_error", "month")


# --- headers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "header", "value", "status", "code"), [
    ("entry_create", "Idempotency-Key", "k" * 256, 422, "validation_error"),
    ("entry_create", "Idempotency-Key", "", 422, "validation_error"),
    ("entry_create", "Idempotency-Key", "seed-1", 422, "idempotency_key_reused"),
    ("entry_patch", "If-Match", '"1-999"', 412, "precondition_failed"),
    ("entry_patch", "If-Match", "garbage", 412, "precondition_failed"),
    ("entry_patch", "If-Match", "x" * 1001, 422, "validation_error"),
    ("entry_delete_by_id", "If-Match", '"0-0", W/"1-1"', 412, "precondition_failed"),
], ids=["idem-256", "idem-empty", "idem-reused", "if-match-stale", "if-match-garbage", "if-match-1001",
        "if-match-weak"])
def test_a_bad_header_value_is_refused(world, request, endpoint, header, value, status, code):
    path = "/entries/{entry}" if endpoint == "entry_delete_by_id" else None
    reqs = {f"{header}: {_label(value)}": Req(endpoint, path=path, headers=((header, value),))}

    assert_refused_without_effect(world, request, endpoint, reqs, status, code)


# --- the CSV import --------------------------------------------------------------------------------------------


def _csv(*rows: str) -> bytes:
    return (CSV_HEADER + "".join(row + "\r\n" for row in rows)).encode()


def _row(**cells: str) -> str:
    values = {"occurred_on": "2026-11-20", "type": "expense", "account": "Cash", "to_account": "", "category": "Food",
              "amount": "1000", "memo": "imported", "tags": ""} | cells
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values.values())
    return buffer.getvalue()


CSV_REFUSED = {
    "wrong-header": b"date,kind,amount\r\n2026-11-20,expense,1000\r\n",
    "empty-body": b"",
    "nul-bytes-only": b"\x00\x00\x00",
    "invalid-utf8": _csv(_row(memo="ok")).replace(b"ok", b"\xc3\x28"),
    "utf16": _csv(_row()).decode().encode("utf-16"),
    "nul-in-a-cell": _csv(_row(memo="a\x00b")),
    "1-mb-memo": _csv(_row(memo="a" * HUGE)),
    "1-mb-account": _csv(_row(account="a" * HUGE)),
    "unterminated-quote": _csv(_row()) + b'2026-11-20,expense,Cash,,Food,1000,"unterminated\r\n',
    "too-many-cells": _csv(_row() + ",extra"),
    "too-few-cells": _csv("2026-11-20,expense"),
    "bogus-type": _csv(_row(type="refund")),
    "three-level-category": _csv(_row(category="a/b/c")),
    **{f"date-{d}": _csv(_row(occurred_on=d)) for d in BAD_DATES},
    **{f"amount-{a!r}": _csv(_row(amount=a)) for a in ("0", "-1", str(2**53), str(10**30), "1.5", "1e3", " 1",
                                                        "\uff11", "")},
    "one-good-one-bad": _csv(_row(), _row(amount="x")),
}
CSV_WRONG_MEDIA = {"json": (b'{"rows": []}', "application/json"),
                   "latin1-charset": (_csv(_row()), "text/csv; charset=latin-1"),
                   "octet-stream": (_csv(_row()), "application/octet-stream"),
                   "multipart": (_csv(_row()), "multipart/form-data; boundary=x")}


def test_a_malformed_csv_import_is_422_and_imports_nothing(world, request):
    reqs = {kind: Req("import", body=raw(data)) for kind, data in CSV_REFUSED.items()}

    assert_refused_without_effect(world, request, "import", reqs, 422, "validation_error")


def test_an_import_that_is_not_utf8_csv_is_415(world, request):
    reqs = {kind: Req("import", body=raw(data), content_type=media) for kind, (data, media) in CSV_WRONG_MEDIA.items()}

    assert_refused_without_effect(world, request, "import", reqs, 415, "unsupported_media_type")


def test_an_import_over_its_limit_is_413(world, request):
    limit = world.client.application.config["IMPORT_MAX_CONTENT_LENGTH"]
    reqs = {"limit + 1": Req("import", body=raw(_csv(_row()) + b"#" * (limit + 1)))}

    assert_refused_without_effect(world, request, "import", reqs, 413, "payload_too_large")


# --- SQL metacharacters are data -------------------------------------------------------------------------------

# Where a string field of a successful request is stored: (endpoint, field) → (table, column).
STORED_AT = {
    ("register", "display_name"): ("users", "display_name"),
    ("me_patch", "display_name"): ("users", "display_name"),
    ("account_create", "name"): ("accounts", "name"),
    ("account_patch", "name"): ("accounts", "name"),
    ("category_create", "name"): ("categories", "name"),
    ("category_patch", "name"): ("categories", "name"),
    ("entry_create", "memo"): ("entries", "memo"),
    ("entry_patch", "memo"): ("entries", "memo"),
    ("entry_create", "tags"): ("entry_tags", "tag"),
    ("entry_patch", "tags"): ("entry_tags", "tag"),
}


@pytest.mark.parametrize("target", field_params(lambda f: is_text(f.field) and "." not in f.label))
@pytest.mark.parametrize("text", SQL_METACHARACTERS, ids=["quote", "double-quote"])
def test_sql_metacharacters_in_a_body_field_are_plain_data(world, request, target, text):
    value = as_list_if_needed(target.field, text)
    client = prepare(world, request, target.endpoint)

    response = send(world, client, Req(target.endpoint, body=target.body(value)))

    # Stored as typed when valid (a name, a memo, a password...), refused when not (an email, a currency).
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert_problem(response, response.status_code, response.get_json()["code"])
    assert set(snapshot(world.sql)) == set(TABLES)
    assert world.sql.count("entries", "id = :i", i=world.ids["entry"]) == 1
    if (target.endpoint, target.label) in STORED_AT:
        assert response.status_code in {200, 201}, response.get_json()
        table, column = STORED_AT[(target.endpoint, target.label)]
        assert world.sql.count(table, f"{column} = :v", v=text) == 1
        assert response.get_json()[target.label] == value


@pytest.mark.parametrize(("endpoint", "name"), [pytest.param(k, n, id=f"{k}-{n}") for k, n, _ in QUERY_PARAMS])
def test_sql_metacharacters_in_a_query_parameter_are_plain_data(world, request, endpoint, name):
    client = prepare(world, request, endpoint)
    before = snapshot(world.sql)
    for text in SQL_METACHARACTERS:
        response = send(world, client, Req(endpoint, query=params(name, text, QUERY_ENDPOINTS[endpoint].query)))

        # Text filters (q, tag) match nothing here; every other parameter is refused as malformed.
        if name in {"q", "tag"}:
            assert response.status_code == 200
            if endpoint == "entry_list":
                assert response.get_json()["items"] == []
            else:
                assert response.get_data(as_text=True).count("\r\n") == 1  # the header line only
        else:
            assert_problem(response, 422, "validation_error")
        assert snapshot(world.sql) == before


@pytest.mark.parametrize("text", SQL_METACHARACTERS, ids=["quote", "double-quote"])
def test_q_with_sql_metacharacters_finds_the_memo_that_holds_them(world, make_entry, text):
    wanted = make_entry(world.user, account_id=world.ids["cash"], category_id=world.ids["food"],
                        memo=f"before {text} after")

    response = world.client.get("/api/v1/entries", query_string={"q": text}, headers=world.headers)

    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["items"]] == [wanted]


# --- LIKE wildcards in q are literal ---------------------------------------------------------------------------

MEMOS = ("100% sure", "100 sure", "a_b", "ab", "50/50", "back\\slash", "caf\u00e9")
Q_EXPECTED = {
    "%": {"100% sure"},
    "100%": {"100% sure"},
    "0% s": {"100% sure"},
    "100 ": {"100 sure"},
    "_": {"a_b"},
    "a_b": {"a_b"},
    "A_B": {"a_b"},
    "ab": {"ab"},
    "/": {"50/50"},
    "\\": {"back\\slash"},
    "%%": set(),
    "[a]": set(),
    "a%b": set(),
}


def _found(world: World, where: str, q: str) -> set[str]:
    if where == "entries":
        response = world.client.get("/api/v1/entries", query_string={"q": q}, headers=world.headers)
        assert response.status_code == 200
        return {item["memo"] for item in response.get_json()["items"]}
    response = world.client.get("/api/v1/entries/export.csv", query_string={"q": q}, headers=world.headers)
    assert response.status_code == 200
    return {row["memo"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))}


@pytest.mark.parametrize("where", ["entries", "export"])
def test_like_wildcards_in_q_match_only_themselves(world, make_entry, where):
    for memo in MEMOS:
        make_entry(world.user, account_id=world.ids["cash"], category_id=world.ids["food"], memo=memo)

    found = {q: _found(world, where, q) for q in Q_EXPECTED}

    assert found == Q_EXPECTED


# --- accounting months at the edge of the calendar -------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "path", "query", "field"), [
    ("monthly", None, {"month": "0001-01"}, "month"),
    ("trend", None, {"from": "0001-01", "to": "0001-02"}, "from"),
    ("entry_list", None, {"month": "0001-01"}, "month"),
    ("export", None, {"month": "0001-01"}, "month"),
    ("budget_get", "/budgets/0001-01", None, "month"),
    ("budget_put", "/budgets/0001-01", None, "month"),
], ids=["monthly", "trend", "entries", "export", "budget-get", "budget-put"])
def test_a_month_that_would_begin_before_year_1_is_422(world, request, endpoint, path, query, field):
    # With month_start_day 25, "0001-01" would run from 0000-12-25: no such date.
    world.sql.execute("UPDATE ledgers SET month_start_day = 25 WHERE id = :u", u=world.user.ledger_id)
    reqs = {"0001-01": Req(endpoint, path=path, query=(lambda world: dict(query)) if query else None)}

    assert_refused_without_effect(world, request, endpoint, reqs, 422, "validation_error", field)
