"""The OpenAPI document describes every accounts operation, its parameters and its errors."""
URL = "/api/v1/accounts"


def operations(client, prefix):
    spec = client.get("/openapi.json").get_json()
    return spec, {(path, method): op for path, item in spec["paths"].items() if path.startswith(prefix)
                  for method, op in item.items() if method != "parameters"}


def test_every_accounts_operation_is_documented_with_auth_and_errors(client):
    spec, ops = operations(client, URL)
    assert set(ops) == {(URL, "get"), (URL, "post"), (URL + "/{account_id}", "get"),
                        (URL + "/{account_id}", "patch"), (URL + "/{account_id}", "delete"),
                        (URL + "/{account_id}/statements", "get")}
    for (path, method), op in ops.items():
        assert op["security"] == [{"bearerAuth": []}] and op["summary"], (path, method)
        assert {"401", "500", "503"} <= set(op["responses"]), (path, method)
    assert {"404", "409"} <= set(ops[(URL + "/{account_id}", "delete")]["responses"])
    assert {"409", "422"} <= set(ops[(URL, "post")]["responses"])
    assert "201" in ops[(URL, "post")]["responses"] and "204" in ops[(URL + "/{account_id}", "delete")]["responses"]
    account = spec["components"]["schemas"]["Account"]["properties"]
    assert set(account) == {"id", "name", "type", "opening_balance", "balance", "archived", "created_at", "billing"}
    create = spec["components"]["schemas"]["AccountCreate"]
    assert set(create["required"]) == {"name", "type"}
    assert create["properties"]["type"]["enum"] == ["cash", "bank", "credit_card", "debit_card", "other"]
