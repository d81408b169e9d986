"""GET /payees?query=: prefix, substring and 초성, ranked by uses in the last 90 days."""
from datetime import timedelta

from ledger.clock import household_today
from tests.conftest import assert_problem
from tests.payees.conftest import PAYEES


def names(client, headers, query, **params):
    response = client.get(PAYEES, query_string={"query": query, **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [(p["name"], p["match"]) for p in response.get_json()["items"]]


def test_choseong_prefix_substring(client, logged_in, make_payee):
    for name in ("스타벅스", "스타필드", "GS25 역삼", "이마트", "Starbucks"):
        make_payee(name)
    assert names(client, logged_in.headers, "ㅅㅂ") == [("스타벅스", "initials")]
    assert names(client, logged_in.headers, "스ㅂ") == [("스타벅스", "initials")]
    assert names(client, logged_in.headers, "ㅅㅌ") == [("스타벅스", "prefix"), ("스타필드", "prefix")]
    assert names(client, logged_in.headers, "star") == [("Starbucks", "prefix")]
    assert names(client, logged_in.headers, "BUCK") == [("Starbucks", "substring")]
    assert names(client, logged_in.headers, "ㅇㅅ") == [("GS25 역삼", "substring")]
    assert names(client, logged_in.headers, "마트") == [("이마트", "substring")]
    assert names(client, logged_in.headers, "%") == []
    assert names(client, logged_in.headers, "ㅋㅋ") == []


def test_ranked_by_uses_in_the_last_90_days(app, client, logged_in, make_payee, post_entry):
    old, recent = make_payee("스타벅스"), make_payee("스타필드")
    with app.app_context():
        today = household_today()
    for _ in range(3):
        post_entry(payee_id=old, occurred_on=(today - timedelta(days=120)).isoformat())
    for _ in range(2):
        post_entry(payee_id=recent, occurred_on=(today - timedelta(days=10)).isoformat())
    response = client.get(PAYEES, query_string={"query": "ㅅㅌ"}, headers=logged_in.headers)
    items = response.get_json()["items"]
    assert [(p["name"], p["uses_90d"]) for p in items] == [("스타필드", 2), ("스타벅스", 0)]


def test_limit_and_archived(client, logged_in, make_payee):
    for i in range(5):
        make_payee(f"가게{i}")
    assert len(names(client, logged_in.headers, "ㄱㄱ", limit=3)) == 3
    first = client.get(PAYEES, query_string={"query": "가게0"}, headers=logged_in.headers).get_json()["items"][0]
    client.patch(f"{PAYEES}/{first['id']}", json={"archived": True}, headers=logged_in.headers)
    assert names(client, logged_in.headers, "가게0", include_archived="false") == []


def test_bad_queries_are_422(client, logged_in):
    for params in ({"query": "x" * 101}, {"limit": "0"}, {"limit": "101"}, {"other": "1"}):
        assert_problem(client.get(PAYEES, query_string=params, headers=logged_in.headers), 422, "validation_error")


def test_sql_agrees_with_the_matcher(client, logged_in, make_payee):
    """Whatever path a query takes (SQL alone, or SQL then hangul.match_kind), the answer is the matcher's."""
    from ledger.payees.hangul import match_kind

    pool = ["스타벅스", "스타필드 하남", "GS25 역삼", "이마트24", "Starbucks", "50%할인마트", "a_b", "ㅅㅂ카페",
            "까치산"]
    for name in pool:
        make_payee(name)
    for query in ("ㅅㅂ", "스벅", "스ㅂ", "ㅅ타", "타벅", "스", "ㅅ", "마트", "24", "50%", "_", "a_", "ㄲ", "ㄱ", "s",
                  "ST", "역ㅅ", "ㅇㅁ", "ㅁㅌ2", "하남", "필ㄷ"):
        expected = {name: match_kind(query, name) for name in pool if match_kind(query, name)}
        assert dict(names(client, logged_in.headers, query, limit=100)) == expected, query
