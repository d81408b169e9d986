"""The change feed at scale: GET /changes answering 1,000 changes, on the 100,000-entry data set.

The data is ledger_scale.py's (one main user with 100,000 entries over 60 months, budgets, child categories,
tags on ~20 %, and other users' entries interleaved), seeded by running `ledger_scale.py --seed-only` in a
child process. The seeder writes with Core INSERTs, so its rows are then numbered for the feed here with
the migration's own statement (0011_change_feed: 1, 2, ... per ledger by id, the ledger's counter past them).
Then 200 of the main user's entries are deleted through the API (tombstones at the feed's tail) and 100 are
changed (PATCH), so that the tail mixes kinds and operations.

Requests timed through the Flask test client in process (the app's own cost: auth check, SQL,
serialisation), 30 runs after 3 warm-ups, interleaved round-robin; p50/p95 by nearest rank:
* snapshot page      GET /api/v1/changes?since=0&limit=1000          (accounts, categories, budgets, entries)
* middle 1,000       GET /api/v1/changes?since=<seq of the 50,000th entry>&limit=1000   (1,000 entries)
* latest 1,000       GET /api/v1/changes?since=<ledger_seq - 1000>&limit=1000  (upserts and tombstones)
* 304 poll           the latest page again with its ETag in If-None-Match
Target: p50 < 50 ms for each 1,000-change page (--check exits 1 otherwise). Statements per request are
counted.

THE DATABASE IS EMPTIED before seeding (its name must contain "bench").

Usage (from the repository root):
    .venv/bin/python benchmarks/feed_scale.py                                   # SQLite /tmp/ledger_bench.db
    .venv/bin/python benchmarks/feed_scale.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ledger_bench
Options: --skip-seed (measure what is there, already numbered), --runs, --warmups, --other-users,
--other-entries, --check. The Markdown report goes to stdout; progress to stderr.
"""
from __future__ import annotations

import argparse
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks.ledger_scale import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    MAIN_EMAIL,
    Bench,
    backend_of,
    build_app,
    log,
    percentile,
)
from ledger.entries.models import Entry  # noqa: E402
from ledger.extensions import db  # noqa: E402
from ledger.feed.models import FEED_MODELS  # noqa: E402

TARGET_MS = 50.0


def number_rows() -> None:
    """What migration 0011 does to existing rows: each feed table's rows numbered per ledger, by id."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE ledgers SET change_seq = 0"))
        for model in FEED_MODELS.values():
            table = model.__tablename__
            conn.execute(text(f"""
                UPDATE {table} SET change_seq = numbered.seq FROM (
                    SELECT t.id, l.change_seq + ROW_NUMBER() OVER (PARTITION BY t.ledger_id ORDER BY t.id) AS seq
                    FROM {table} t JOIN ledgers l ON l.id = t.ledger_id) AS numbered
                WHERE {table}.id = numbered.id"""))
            conn.execute(text(f"""UPDATE ledgers SET change_seq = change_seq
                + (SELECT COUNT(*) FROM {table} WHERE {table}.ledger_id = ledgers.id)"""))
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            auto.execute(text("VACUUM ANALYZE"))


def churn(bench: Bench, headers: dict[str, str], ledger_id: int) -> None:
    """200 deletions and 100 changes of the main ledger's entries, through the API."""
    with bench.app.app_context():
        ids = db.session.execute(select(Entry.id).where(Entry.ledger_id == ledger_id).order_by(Entry.id)
                                 .limit(300)).scalars().all()
    for entry_id in ids[:200]:
        assert bench.client.delete(f"/api/v1/entries/{entry_id}", headers=headers).status_code == 204
    for entry_id in ids[200:]:
        assert bench.client.patch(f"/api/v1/entries/{entry_id}", json={"memo": "changed"},
                                  headers=headers).status_code == 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--other-users", type=int, default=20)
    parser.add_argument("--other-entries", type=int, default=10_000)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is not met")
    args = parser.parse_args()
    name = make_url(args.database_url).database or ""
    if "bench" not in name and not args.force:
        parser.error(f"{args.database_url} will be EMPTIED; its name must contain 'bench' (or pass --force)")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("JWT_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ["DATABASE_URL"] = args.database_url

    app = build_app(args.database_url)
    if not args.skip_seed:
        log("seeding with ledger_scale.py --seed-only (fresh schema)")
        child = [sys.executable, str(ROOT / "benchmarks" / "ledger_scale.py"), "--seed-only", "--force",
                 "--fresh-schema", "--database-url", args.database_url, "--other-users", str(args.other_users),
                 "--other-entries", str(args.other_entries)]
        if subprocess.run(child, check=False).returncode != 0:
            return 1
        with app.app_context():
            started = time.perf_counter()
            number_rows()
            log(f"rows numbered for the feed in {time.perf_counter() - started:.1f} s")
    bench = Bench(app, args.database_url)
    headers = bench.login(MAIN_EMAIL)
    with app.app_context():
        ledger_id = db.session.execute(text("SELECT default_ledger_id FROM users WHERE email = :e"),
                                       {"e": MAIN_EMAIL}).scalar_one()
        entries = db.session.execute(text("SELECT COUNT(*) FROM entries WHERE ledger_id = :l"),
                                     {"l": ledger_id}).scalar_one()
    if not args.skip_seed:
        churn(bench, headers, ledger_id)
    with app.app_context():
        ledger_seq = db.session.execute(text("SELECT change_seq FROM ledgers WHERE id = :l"),
                                        {"l": ledger_id}).scalar_one()
        middle = db.session.execute(text("SELECT change_seq FROM entries WHERE ledger_id = :l ORDER BY change_seq "
                                         "LIMIT 1 OFFSET 50000"), {"l": ledger_id}).scalar_one()
    latest_path = f"/api/v1/changes?since={ledger_seq - 1000}&limit=1000"
    cases = [("snapshot page (since=0)", "/api/v1/changes?since=0&limit=1000", {}),
             ("middle 1,000 (entries)", f"/api/v1/changes?since={middle}&limit=1000", {}),
             ("latest 1,000 (upserts + tombstones)", latest_path, {})]
    etag = bench.client.get(latest_path, headers=headers).headers["ETag"]
    timings: dict[str, list[float]] = {label: [] for label, _, _ in cases}
    statements: dict[str, set[int]] = {label: set() for label, _, _ in cases}
    sizes: dict[str, int] = {}
    poll: list[float] = []
    poll_statements: set[int] = set()
    for run in range(args.warmups + args.runs):
        for label, path, _ in cases:
            seconds, _, body, (count, _, _) = bench.get(path, headers)
            if run >= args.warmups:
                timings[label].append(seconds)
                statements[label].add(count)
                sizes[label] = len(body)
        bench.sql.take()
        started = time.perf_counter()
        response = bench.client.get(latest_path, headers={**headers, "If-None-Match": etag})
        elapsed = time.perf_counter() - started
        assert response.status_code == 304, response.status_code
        if run >= args.warmups:
            poll.append(elapsed)
            poll_statements.add(bench.sql.take()[0])

    ok = True
    print(f"## Change feed at scale ({backend_of(args.database_url)})\n")
    print(f"{entries:,} entries in the main ledger, ledger_seq {ledger_seq:,}; {args.runs} runs after "
          f"{args.warmups} warm-ups; Python {platform.python_version()}, {platform.machine()}.\n")
    print("| request | p50 | p95 | statements | body |")
    print("|---|---|---|---|---|")
    for label, _, _ in cases:
        p50, p95 = percentile(timings[label], 50) * 1000, percentile(timings[label], 95) * 1000
        ok = ok and p50 < TARGET_MS
        print(f"| {label} | {p50:.1f} ms | {p95:.1f} ms | {', '.join(map(str, sorted(statements[label])))} | "
              f"{sizes[label] / 1024:.0f} KiB |")
    print(f"| 304 poll (If-None-Match) | {percentile(poll, 50) * 1000:.1f} ms | {percentile(poll, 95) * 1000:.1f} ms"
          f" | {', '.join(map(str, sorted(poll_statements)))} | 0 |")
    print(f"\nTarget: p50 < {TARGET_MS:.0f} ms for each 1,000-change page: {'met' if ok else 'NOT met'}.")
    with app.app_context():
        db.engine.dispose()
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
