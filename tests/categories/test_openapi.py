"""The OpenAPI document describes every categories operation, its parameters and its errors."""
URL = "/api/v1/categories"


def test_every_categories_operation_is_documented_with_auth_and_errors(client):
    spec = client.get("/openapi.json").get_json()
    ops = {(path, method): op for path, item in spec["paths"].items() if path.startswith(URL)
           for method, op in item.items() if method != "parameters"}
    assert set(ops) == {(URL, "get"), (URL, "post"), (URL + "/{category_id}", "get"),
                        (URL + "/{category_id}", "patch"), (URL + "/{category_id}", "delete")}
    for (path, method), op in ops.items():
        assert op["security"] == [{"bearerAuth": []}] and op["summary"], (path, method)
        assert {"401", "500", "503"} <= set(op["responses"]), (path, method)
    assert {p["name"] for p in ops[(URL, "get")]["parameters"]} == {"kind", "include_archived"}
    delete = ops[(URL + "/{category_id}", "delete")]
    assert [p["name"] for p in delete["parameters"]] == ["reassign_to"]
    assert {"204", "404", "409", "422"} <= set(delete["responses"])
    category = spec["components"]["schemas"]["Category"]["properties"]
    assert set(category) == {"id", "name", "kind", "parent_id", "color", "archived", "created_at"}
