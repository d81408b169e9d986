"""Payee autocomplete: `GET /api/v1/payees?query=` with 5,000 payees, p50/p95 per query (issue 15: < 20 ms p95).

    .venv/bin/python benchmarks/payees_autocomplete.py                        # SQLite (a temporary file)
    .venv/bin/python benchmarks/payees_autocomplete.py --db postgresql+psycopg://postgres@127.0.0.1/bench_payees

A PostgreSQL database given with --db is EMPTIED (its public schema dropped and re-created) and migrated.
Seeds one user's ledger with --payees payees (Korean shop names with branches, Latin names, numbers) and
--entries entries over the last 120 days, each with a random payee (so the ranking's 90-day count has work to
do), then sends every query --repeat times through the Flask test client (the whole request: auth check, the
query, the ranking and the JSON) and prints the p50 and p95 in milliseconds, with how many payees matched.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUERIES = ["ㅅ", "ㅅㅂ", "스ㅂ", "스타", "ㄱㄴ", "마트", "점", "star", "gs", "25", "ㅇㅁㅌ",
           "없는이름zz"]
BRANDS = ["스타벅스", "이마트", "홈플러스", "GS25", "CU", "세븐일레븐", "올리브영", "다이소", "배스킨라빈스",
          "파리바게뜨", "투썸플레이스", "맥도날드", "롯데마트", "쿠팡", "Starbucks", "Netflix", "Apple",
          "교보문고", "메가커피", "김밥천국"]
PLACES = ["강남", "역삼", "서초", "잠실", "홍대", "신촌", "판교", "분당", "일산", "부산", "대구", "광주",
          "인천", "수원"]


def names(count: int, rng: random.Random) -> list[str]:
    found: dict[str, None] = {}
    while len(found) < count:
        found[f"{rng.choice(BRANDS)} {rng.choice(PLACES)}{rng.randint(1, 40)}호점"] = None
    return list(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--payees", type=int, default=5000)
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    from flask_migrate import upgrade
    from sqlalchemy import insert, select, text

    from ledger import create_app
    from ledger.accounts.models import Account
    from ledger.auth import users
    from ledger.categories.models import Category
    from ledger.clock import household_today
    from ledger.entries.models import Entry
    from ledger.extensions import db, limiter
    from ledger.payees import hangul
    from ledger.payees.models import Payee

    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/payees.db"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    limiter.enabled = False
    rng = random.Random(15)
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        user = users.create_user("bench@example.com", "a long passphrase for 2026")
        ledger_id = user.default_ledger_id
        account = db.session.execute(select(Account.id).where(Account.ledger_id == ledger_id)).scalar_one()
        category = db.session.execute(select(Category.id).where(Category.ledger_id == ledger_id,
                                                                Category.kind == "expense")).scalars().first()
        listed = names(args.payees, rng)
        db.session.execute(insert(Payee), [{"ledger_id": ledger_id, "name": n, "name_key": hangul.fold(n),
                                            "initials": hangul.initials(n), "archived": False} for n in listed])
        payee_ids = list(db.session.execute(select(Payee.id).where(Payee.ledger_id == ledger_id)).scalars())
        today = household_today()
        rows = [{"ledger_id": ledger_id, "type": "expense", "amount": rng.randint(1000, 50000),
                 "occurred_on": today - timedelta(days=rng.randrange(120)), "account_id": account,
                 "category_id": category, "payee_id": rng.choice(payee_ids), "memo": ""} for _ in range(args.entries)]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Entry), rows[start:start + 5000])
        db.session.commit()
        if url.startswith("postgresql"):
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"email": "bench@example.com",
                                                     "password": "a long passphrase for 2026"}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    print(f"{url.split(':')[0]}: {args.payees} payees, {args.entries} entries; {args.repeat} requests per query\n")
    print("| query | matches (limit 20) | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    worst = 0.0
    for query in QUERIES:
        times = []
        count = 0
        for _ in range(args.repeat + 3):
            started = time.perf_counter()
            response = client.get("/api/v1/payees", query_string={"query": query}, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.get_data(as_text=True)
            count = len(response.get_json()["items"])
            times.append(elapsed)
        times = sorted(times[3:])  # 3 warm-ups
        p95 = times[int(len(times) * 0.95) - 1]
        worst = max(worst, p95)
        print(f"| `{query}` | {count} | {statistics.median(times):.1f} | {p95:.1f} |")
    print(f"\nworst p95: {worst:.1f} ms (target < 20 ms)")
    return 0 if worst < 20 else 1


if __name__ == "__main__":
    raise SystemExit(main())
