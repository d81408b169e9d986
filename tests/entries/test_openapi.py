"""The OpenAPI document describes every entries operation: parameters, bodies, headers and errors."""
from __future__ import annotations


def _operation(spec: dict, path: str, method: str) -> dict:
    return spec["paths"][path][method]


def _parameters(operation: dict) -> dict[str, str]:
    return {p["name"]: p["in"] for p in operation.get("parameters", [])}


def test_entries_operations_are_documented(client):
    spec = client.get("/openapi.json").get_json()
    listing = _operation(spec, "/api/v1/entries", "get")
    assert {"from", "to", "month", "type", "account_id", "category_id", "tag", "q", "min_amount", "max_amount",
            "limit", "cursor"} <= set(_parameters(listing))
    assert {"200", "401", "422"} <= set(listing["responses"])

    create = _operation(spec, "/api/v1/entries", "post")
    assert _parameters(create)["Idempotency-Key"] == "header"
    assert "requestBody" in create
    assert "Location" in create["responses"]["201"]["headers"]
    assert {"201", "401", "422"} <= set(create["responses"])

    item = "/api/v1/entries/{entry_id}"
    assert "ETag" in _operation(spec, item, "get")["responses"]["200"]["headers"]
    patch = _operation(spec, item, "patch")
    assert _parameters(patch)["If-Match"] == "header"
    assert {"200", "404", "412", "422"} <= set(patch["responses"])
    delete = _operation(spec, item, "delete")
    assert _parameters(delete)["If-Match"] == "header"
    assert {"204", "404", "412"} <= set(delete["responses"])


def test_entry_schema_documents_dates_and_money(client):
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    entry = schemas["Entry"]["properties"]
    assert entry["occurred_on"] == {"type": "string", "format": "date"}
    assert entry["amount"]["type"] == "integer"
    assert entry["tags"]["type"] == "array"
    create = schemas["EntryCreate"]
    assert set(create["required"]) == {"type", "amount", "occurred_on", "account_id"}
    assert create["properties"]["amount"]["maximum"] == 2**53 - 1
