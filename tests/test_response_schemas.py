"""The response schemas of /openapi.json say what the server sends: every field it always sends is `required`
(so the SPA's generated types need no fallbacks), a null only where the field is `nullable`, and a sample
response of each main operation is checked against its documented schema."""
from __future__ import annotations

import pytest

from ledger.errors import PROBLEM_CODES

API = "/api/v1"
# The only fields a response may leave out (ResponseSchema.sometimes), by schema.
SOMETIMES = {"Token": {"refresh_token", "csrf_token", "user"}, "Problem": {"errors", "request_id"},
             "ImportProblem": {"errors", "request_id"}, "ImportErrors": {"rows", "header", "body"},
             "Invite": {"token"}}  # the invitation link's secret: only in the answer that created it
JSON_TYPES = {"integer": int, "number": (int, float), "string": str, "boolean": bool, "array": list,
              "object": dict}


@pytest.fixture
def spec(client) -> dict:
    return client.get("/openapi.json").get_json()


def _resolve(spec: dict, schema: dict) -> dict:
    if "$ref" in schema:
        return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _response_schema_names(spec: dict) -> set[str]:
    """Every component schema that a documented response body uses, directly or nested."""
    found: set[str] = set()

    def visit(schema: dict) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name in found:
                return
            found.add(name)
            schema = spec["components"]["schemas"][name]
        for child in (*schema.get("properties", {}).values(), *([schema["items"]] if "items" in schema else [])):
            visit(child)

    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                for media in response.get("content", {}).values():
                    visit(media.get("schema", {}))
    return found


def test_every_field_of_every_response_schema_is_required(spec):
    names = _response_schema_names(spec)
    assert {"Account", "Budget", "BudgetItem", "BudgetTotal", "Category", "Entry", "EntryPage", "ImportResult",
            "MonthlyReport", "Problem", "Session", "Token", "User"} <= names
    missing = {}
    for name in sorted(names):
        schema = spec["components"]["schemas"][name]
        optional = set(schema.get("properties", {})) - set(schema.get("required", [])) - SOMETIMES.get(name, set())
        if optional:
            missing[name] = sorted(optional)
    assert missing == {}


def test_problem_code_is_an_enum_of_every_code(spec):
    assert spec["components"]["schemas"]["Problem"]["properties"]["code"]["enum"] == list(PROBLEM_CODES)


def _conforms(spec: dict, schema: dict, value, where: str = "$") -> list[str]:
    """Where `value` breaks `schema` (OpenAPI 3.0: required, nullable, type, nested), as readable paths."""
    schema = _resolve(spec, schema)
    if "anyOf" in schema:
        answers = [_conforms(spec, choice, value, where) for choice in schema["anyOf"]]
        return [] if [] in answers else answers[0]
    if value is None:
        return [] if schema.get("nullable") else [f"{where} is null"]
    expected = JSON_TYPES.get(schema.get("type", ""))
    if expected and (not isinstance(value, expected) or isinstance(value, bool) and schema["type"] != "boolean"):
        return [f"{where} is not {schema['type']}"]
    wrong = []
    if isinstance(value, dict):
        wrong += [f"{where}.{name} is missing" for name in schema.get("required", []) if name not in value]
        for name, child in schema.get("properties", {}).items():
            if name in value:
                wrong += _conforms(spec, child, value[name], f"{where}.{name}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            wrong += _conforms(spec, schema["items"], item, f"{where}[{index}]")
    if "enum" in schema and value not in schema["enum"]:
        wrong.append(f"{where} = {value!r} is not in the enum")
    return wrong


def _check(spec: dict, method: str, path: str, response) -> dict:
    """The body of `response` conforms to what the operation documents for its status."""
    template = next(p for p in spec["paths"] if _matches(p, path))
    documented = spec["paths"][template][method]["responses"][str(response.status_code)]
    if "$ref" in documented:
        documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    schema = documented["content"][response.mimetype]["schema"]
    body = response.get_json()
    assert _conforms(spec, schema, body) == [], (method, path, body)
    return body


def _matches(template: str, path: str) -> bool:
    parts, wanted = template.split("/"), path.split("?")[0].split("/")
    return len(parts) == len(wanted) and all(a == b or a.startswith("{") for a, b in zip(parts, wanted, strict=True))


def test_sample_responses_conform_to_their_documented_schemas(spec, client, make_user, auth):
    registered = client.post(f"{API}/auth/register", json={"email": "schemas@example.com",
                                                          "password": "correct horse battery staple"})
    _check(spec, "post", f"{API}/auth/register", registered)
    user = make_user()
    login = client.post(f"{API}/auth/login", json={"email": user.email, "password": user.password})
    _check(spec, "post", f"{API}/auth/login", login)
    auth.login(user)
    h = auth.headers

    def call(method: str, path: str, status: int, **kwargs) -> dict:
        response = getattr(client, method)(path, headers={**h, **kwargs.pop("headers", {})}, **kwargs)
        assert response.status_code == status, response.get_json()
        return _check(spec, method, path, response)

    call("get", f"{API}/me", 200)
    call("patch", f"{API}/me", 200, json={"month_start_day": 1})
    call("get", f"{API}/auth/sessions", 200)
    card = call("post", f"{API}/accounts", 201, json={"name": "Card", "type": "credit_card"})
    cash = next(a for a in call("get", f"{API}/accounts", 200)["items"] if a["id"] != card["id"])
    parent = call("post", f"{API}/categories", 201, json={"name": "Groceries", "kind": "expense"})  # colour null
    child = call("post", f"{API}/categories", 201,
                 json={"name": "Coffee", "kind": "expense", "parent_id": parent["id"], "color": "#aabbcc"})
    call("get", f"{API}/categories", 200)
    expense = call("post", f"{API}/entries", 201, json={
        "type": "expense", "amount": 4500, "occurred_on": "2026-11-20", "account_id": cash["id"],
        "category_id": child["id"], "tags": ["cafe"]})
    call("post", f"{API}/entries", 201, json={"type": "transfer", "amount": 1000, "occurred_on": "2026-11-21",
                                            "account_id": cash["id"], "to_account_id": card["id"]})
    call("get", f"{API}/entries/{expense['id']}", 200)
    call("get", f"{API}/entries?limit=1", 200)
    call("get", f"{API}/reports/monthly?month=2026-11", 200)  # no budget: `budget` is null
    call("put", f"{API}/budgets/2026-11", 200, json={"items": [{"category_id": parent["id"], "amount": 9000}]})
    call("get", f"{API}/budgets/2026-11", 200)
    call("get", f"{API}/reports/monthly?month=2026-11", 200)
    call("get", f"{API}/reports/trend?from=2026-10&to=2026-11", 200)
    call("post", f"{API}/entries/import?dry_run=true", 200, headers={"Content-Type": "text/csv"},
         data="occurred_on,type,account,to_account,category,amount,memo,tags\n"
              "2026-11-22,expense,New,,Groceries/Tea,300,,\n")
    call("get", f"{API}/currencies", 200)
    call("get", "/healthz", 200)
    # problems, with and without `errors`
    call("get", f"{API}/accounts/999999", 404)
    call("post", f"{API}/accounts", 422, json={"name": ""})
    call("post", f"{API}/entries/import", 422, headers={"Content-Type": "text/csv"},
         data="occurred_on,type,account,to_account,category,amount,memo,tags\n2026-13-01,expense,A,,B,0,,\n")
