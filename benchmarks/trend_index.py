"""The trend report's covering index (issue 10, item 5): what it gains the reports, what it costs the writes.

The index (`ix_entries_user_id_occurred_on_type_amount`, migration 0004; since migration 0005 on `ledger_id`, named
`ix_entries_ledger_id_occurred_on_type_amount`, which this script now measures), in these variants:
* "with": `(user_id, occurred_on, type, amount)` on both databases, what migration 0004 adopted;
* PostgreSQL "INCLUDE": `(user_id, occurred_on, type) INCLUDE (amount)`, the form issue 10 named;
* SQLite "3 keys": `(user_id, occurred_on, type)`, what SQLite would get from a model `Index` with
  `postgresql_include=["amount"]` (SQLAlchemy leaves the INCLUDE out there): it does not cover `amount`;
* "without": no such index (--no-three-keys: only without/with).

With and without it, side by side in ONE run, on the 100,000-entry seed of benchmarks/ledger_scale.py
(seeded here in a child process by `ledger_scale.py --seed-only`, unless --skip-seed): --rounds rounds, each
with one phase per variant (the order rotates every round, so a drift of the
machine's load hits both alike). This script creates and drops the index itself (DROP / CREATE INDEX on
the bench database only). Every phase measures, through the Flask test client in process (the app of
ledger_scale.py: production config, RATELIMIT_ENABLED=False, LOG_LEVEL=WARNING):

1. reads, interleaved after --warmups warm-ups: --runs of `GET /api/v1/reports/trend?from=2021-12&to=2026-11`
   (60 months) and of `GET /api/v1/reports/monthly?month=2026-06`: wall time, this process's CPU time, and
   the time inside cursor.execute (on SQLite the rows are stepped through in fetch: a lower bound);
2. the write path: --posts `POST /api/v1/entries` (an expense of the main user on a random day of the 60
   months, no tags, no Idempotency-Key; after 5 warm-ups): wall time, and the time of its
   `INSERT INTO entries` statement alone (where the index's maintenance is paid);
3. a bulk insert: --bulk-rows rows of the main user (random days, SQLAlchemy Core insert, executemany in
   chunks of 5,000, one transaction, like the seeder), rows per second; then ROLLBACK (--bulk-runs times);
4. clean-up: the entries POSTed in the phase are deleted, and on PostgreSQL `VACUUM ANALYZE entries` runs
   (what autovacuum does after such writes), so every phase reads the same rows and index-only scans find
   an up-to-date visibility map.

Also reported: the index's size and creation time, the sizes of the table and its other indexes, and the plan
of the trend statement with and without the index (EXPLAIN (ANALYZE, BUFFERS) / EXPLAIN QUERY PLAN).
The index is left as it was found.

    .venv/bin/python benchmarks/trend_index.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ledger_trend_bench
    .venv/bin/python benchmarks/trend_index.py --database-url sqlite:////tmp/ledger_trend_bench.db

THE DATABASE IS EMPTIED AND RE-SEEDED (unless --skip-seed): its name must contain "bench".
Markdown report on stdout (and --output FILE), progress on stderr.
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks import ledger_scale as scale  # noqa: E402

INDEX = "ix_entries_ledger_id_occurred_on_type_amount"  # migration 0004 (the variant "with")
# The variants of one run: name -> the index's DDL (None: no index), all under migration 0004's index name,
# which the seed (migrated to the head) already has and which every phase drops first.
# "with": amount as a fourth key, what migration 0004 adopted on both databases (SQLite has no INCLUDE);
# PostgreSQL "INCLUDE": (ledger_id, occurred_on, type) INCLUDE (amount), the form issue 10 named;
# SQLite "3 keys": what a model Index with postgresql_include=["amount"] would make there (SQLAlchemy leaves
# the INCLUDE out on SQLite): not covering.
VARIANTS = {
    "postgresql": {"without": None,
                   "with": f"CREATE INDEX {INDEX} ON entries (ledger_id, occurred_on, type, amount)",
                   "INCLUDE": f"CREATE INDEX {INDEX} ON entries (ledger_id, occurred_on, type) INCLUDE (amount)"},
    "sqlite": {"without": None,
               "with": f"CREATE INDEX {INDEX} ON entries (ledger_id, occurred_on, type, amount)",
               "3 keys": f"CREATE INDEX {INDEX} ON entries (ledger_id, occurred_on, type)"},
}
TREND = f"/api/v1/reports/trend?from={scale.FIRST_DAY:%Y-%m}&to={scale.LAST_DAY:%Y-%m}"
MONTHLY = "/api/v1/reports/monthly?month=2026-06"
DAYS = (scale.LAST_DAY - scale.FIRST_DAY).days + 1


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Variant:
    name: str  # "without" / "with"
    trend: list[float] = field(default_factory=list)
    trend_cpu: list[float] = field(default_factory=list)
    trend_sql: list[float] = field(default_factory=list)
    monthly: list[float] = field(default_factory=list)
    monthly_cpu: list[float] = field(default_factory=list)
    monthly_sql: list[float] = field(default_factory=list)
    post: list[float] = field(default_factory=list)
    post_insert_sql: list[float] = field(default_factory=list)
    post_cpu: list[float] = field(default_factory=list)
    post_wal: list[float] = field(default_factory=list)  # PostgreSQL: WAL bytes per POSTed entry (whole request)
    bulk_rps: list[float] = field(default_factory=list)
    bulk_cpu_rps: list[float] = field(default_factory=list)  # rows per second of this process's CPU
    bulk_wal: list[float] = field(default_factory=list)  # PostgreSQL: WAL bytes per bulk-inserted row
    rounds: list[dict] = field(default_factory=list)  # per-phase medians
    trend_plan: list[str] = field(default_factory=list)
    insert_plan: list[str] = field(default_factory=list)  # PostgreSQL: EXPLAIN (ANALYZE, WAL) of one INSERT
    monthly_plan: list[str] = field(default_factory=list)


class InsertTimer:
    """Seconds inside cursor.execute of `INSERT INTO entries` statements (the row and its index entries)."""

    def __init__(self, engine) -> None:
        self.seconds = 0.0
        self._started: float | None = None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self._started = time.perf_counter() if statement.lstrip().upper().startswith("INSERT INTO ENTRIES") else None

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self._started = None

    def take(self) -> float:
        taken, self.seconds = self.seconds, 0.0
        return taken


def index_ddl(engine, backend: str) -> str | None:
    """The index as it is now (to put it back as it was found)."""
    with engine.connect() as conn:
        if backend == "postgresql":
            return conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": INDEX}).scalar()
        return conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n"),
                            {"n": INDEX}).scalar()


def set_index(engine, backend: str, ddl: str | None) -> float:
    """Drop the index, then create it with `ddl` (None: leave it dropped); the seconds it took."""
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(f"DROP INDEX IF EXISTS {INDEX}"))
        if ddl:
            conn.execute(text(ddl))
    if backend == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            auto.execute(text("ANALYZE entries"))
    return time.perf_counter() - started


def sizes(engine, backend: str) -> dict[str, int]:
    """Bytes: the index, the table, and all of the table's other indexes together."""
    with engine.connect() as conn:
        if backend == "postgresql":
            row = conn.execute(text(
                "SELECT coalesce(pg_relation_size(to_regclass(:n)), 0), pg_relation_size('entries'), "
                "pg_indexes_size('entries')"), {"n": INDEX}).one()
            return {"index": row[0], "table": row[1], "other_indexes": row[2] - row[0]}
        rows = dict(conn.execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")).all())
        names = [n for (n,) in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries'"))]
        return {"index": rows.get(INDEX, 0), "table": rows.get("entries", 0),
                "other_indexes": sum(rows.get(n, 0) for n in names if n != INDEX)}


def explain_entries(bench, kept: list) -> list[str]:
    """The plan of the request's grouped statement over entries, as the app sent it."""
    for statement, parameters in kept:
        if "FROM entries" in statement and "GROUP BY" in statement:
            return bench.explain(statement, parameters)
    return ["(no grouped statement over entries)"]


def wal_lsn(engine, backend: str) -> int:
    """PostgreSQL: the WAL insert position in bytes (0 on SQLite): WAL written is a load-independent measure
    of what a write costs the server (heap + every index entry, and full-page images)."""
    if backend != "postgresql":
        return 0
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")).scalar_one()


def phase(bench, variant: Variant, backend: str, args, main_headers, ids, rng, insert_timer, main_id, seed_max_id):
    get = bench.get
    # 1. reads, interleaved
    for _ in range(args.warmups):
        get(TREND, main_headers)
        get(MONTHLY, main_headers)
    trend, trend_cpu, trend_sql, monthly, monthly_cpu, monthly_sql = [], [], [], [], [], []
    kept_trend = kept_monthly = []
    for _ in range(args.runs):
        wall, cpu, _, (_, sql, kept_trend) = get(TREND, main_headers)
        trend.append(wall), trend_cpu.append(cpu), trend_sql.append(sql)
        wall, cpu, _, (_, sql, kept_monthly) = get(MONTHLY, main_headers)
        monthly.append(wall), monthly_cpu.append(cpu), monthly_sql.append(sql)
    if not variant.trend_plan:
        variant.trend_plan = explain_entries(bench, kept_trend)
        variant.monthly_plan = explain_entries(bench, kept_monthly)

    # 2. POST /entries
    posts, inserts, post_cpus = [], [], []
    wal_start = 0
    for i in range(5 + args.posts):
        if i == 5:
            wal_start = wal_lsn(bench.engine, backend)
        body = {"type": "expense", "amount": rng.randrange(100, 500_000, 100),
                "occurred_on": (scale.FIRST_DAY + timedelta(days=rng.randrange(DAYS))).isoformat(),
                "account_id": rng.choice(ids["accounts"]), "category_id": rng.choice(ids["expense"]),
                "memo": "trend index benchmark"}
        insert_timer.take()
        cpu = time.process_time()
        started = time.perf_counter()
        response = bench.client.post("/api/v1/entries", json=body, headers=main_headers)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        if response.status_code != 201:
            raise SystemExit(f"POST /entries: {response.status_code} {response.get_data()[:300]!r}")
        insert_seconds = insert_timer.take()
        if i >= 5:
            posts.append(elapsed)
            inserts.append(insert_seconds)
            post_cpus.append(cpu)
    post_wal = (wal_lsn(bench.engine, backend) - wal_start) / args.posts

    # 3. bulk insert, rolled back
    bulk, bulk_cpu, bulk_wal = [], [], []
    for _ in range(args.bulk_runs):
        rows = [{"ledger_id": main_id, "type": "expense", "amount": rng.randrange(100, 500_000, 100),
                 "occurred_on": scale.FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
                 "account_id": rng.choice(ids["accounts"]), "to_account_id": None,
                 "category_id": rng.choice(ids["expense"]), "memo": "bulk", "version": 1,
                 "created_at": datetime.now(UTC), "updated_at": datetime.now(UTC)} for _ in range(args.bulk_rows)]
        wal_start = wal_lsn(bench.engine, backend)
        with bench.engine.connect() as conn:
            transaction = conn.begin()
            cpu = time.process_time()
            started = time.perf_counter()
            for start in range(0, len(rows), scale.CHUNK):
                conn.execute(insert(scale.Entry.__table__), rows[start:start + scale.CHUNK])
            bulk.append(len(rows) / (time.perf_counter() - started))
            bulk_cpu.append(len(rows) / (time.process_time() - cpu))
            transaction.rollback()
        bulk_wal.append((wal_lsn(bench.engine, backend) - wal_start) / len(rows))

    # PostgreSQL: the WAL of ONE entry insert, from the server for this statement alone (the cluster-wide WAL
    # position above also counts whatever else the shared server writes meanwhile)
    if backend == "postgresql" and not variant.insert_plan:
        with bench.engine.connect() as conn:
            transaction = conn.begin()
            variant.insert_plan = [line for (line,) in conn.execute(text(
                "EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) INSERT INTO entries (ledger_id, type, amount, "
                "occurred_on, account_id, category_id, memo, version, created_at, updated_at) VALUES "
                "(:u, 'expense', 12300, '2024-03-15', :a, :c, 'explain', 1, now(), now())"),
                {"u": main_id, "a": ids["accounts"][0], "c": ids["expense"][0]})]
            transaction.rollback()

    # 4. clean-up: the same rows for every phase, and a fresh visibility map on PostgreSQL
    with bench.engine.begin() as conn:
        conn.execute(text("DELETE FROM entries WHERE id > :m"), {"m": seed_max_id})
    if backend == "postgresql":
        with bench.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            auto.execute(text("VACUUM ANALYZE entries"))

    variant.trend += trend
    variant.trend_cpu += trend_cpu
    variant.trend_sql += trend_sql
    variant.monthly += monthly
    variant.monthly_cpu += monthly_cpu
    variant.monthly_sql += monthly_sql
    variant.post += posts
    variant.post_insert_sql += inserts
    variant.bulk_rps += bulk
    variant.post_cpu += post_cpus
    variant.post_wal.append(post_wal)
    variant.bulk_cpu_rps += bulk_cpu
    variant.bulk_wal += bulk_wal
    summary = {"trend": statistics.median(trend), "monthly": statistics.median(monthly),
               "post": statistics.median(posts), "insert": statistics.median(inserts),
               "bulk": statistics.median(bulk)}
    variant.rounds.append(summary)
    log(f"  {variant.name:<7} trend {summary['trend'] * 1000:6.1f} ms  monthly {summary['monthly'] * 1000:5.1f} ms  "
        f"POST {summary['post'] * 1000:5.2f} ms (INSERT {summary['insert'] * 1000:.3f} ms)  "
        f"bulk {summary['bulk']:,.0f} rows/s"
        + (f"  WAL/POST {post_wal:,.0f} B, WAL/bulk row {statistics.median(bulk_wal):,.0f} B"
           if backend == "postgresql" else f"  bulk CPU {statistics.median(bulk_cpu):,.0f} rows/cpu-s"))


def ms(values: list[float], q: float = 50) -> str:
    return f"{scale.percentile(values, q) * 1000:.{1 if scale.percentile(values, q) >= 0.01 else 2}f}"


def us(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e6:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--database-url", default="sqlite:////tmp/ledger_trend_bench.db")
    parser.add_argument("--skip-seed", action="store_true", help="use the data a previous run seeded")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=15, help="timed trend and monthly requests per phase")
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--posts", type=int, default=200, help="timed POST /entries per phase")
    parser.add_argument("--bulk-rows", type=int, default=20_000)
    parser.add_argument("--bulk-runs", type=int, default=2)
    parser.add_argument("--no-three-keys", action="store_true",
                        help="only without/with (no SQLite 3-key, no PostgreSQL INCLUDE variant)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    url = args.database_url
    if "bench" not in (make_url(url).database or ""):
        parser.error(f"{url} is emptied and its index dropped/created: its name must contain 'bench'")
    backend = scale.backend_of(url)
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("JWT_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ["DATABASE_URL"] = url
    # config.validate() reads these from the environment, before create_app's overrides (the seeding child too)
    os.environ["RATELIMIT_ENABLED"] = "false"
    os.environ.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    command = "python benchmarks/trend_index.py " + " ".join(sys.argv[1:])
    started_run, load_before = time.monotonic(), os.getloadavg()

    if not args.skip_seed:
        log(f"seeding {url} (benchmarks/ledger_scale.py --seed-only, a child process)")
        seeding = time.monotonic()
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ledger_scale.py"), "--seed-only", "--force",
                        "--database-url", url], check=True)
        log(f"seeded in {time.monotonic() - seeding:.0f} s")

    app = scale.build_app(url)
    facts = scale.database_facts(app, url)
    main_id = facts["users"][scale.MAIN_EMAIL]
    if facts["counts"].get(main_id) != 100_000:
        raise SystemExit("the database does not hold ledger_scale.py's seed; run without --skip-seed")
    bench = scale.Bench(app, url)
    insert_timer = InsertTimer(bench.engine)
    found = index_ddl(bench.engine, backend)
    with bench.engine.connect() as conn:
        seed_max_id = conn.execute(select(func.max(scale.Entry.id))).scalar_one()
    main_headers = bench.login(scale.MAIN_EMAIL)
    accounts = bench.client.get("/api/v1/accounts", headers=main_headers).get_json()["items"]
    categories = bench.client.get("/api/v1/categories", headers=main_headers).get_json()["items"]
    ids = {"accounts": [a["id"] for a in accounts],
           "expense": [c["id"] for c in categories if c["kind"] == "expense"]}
    rng = random.Random(20261130)

    ddls = VARIANTS[backend] if not args.no_three_keys else {k: v for k, v in VARIANTS[backend].items()
                                                               if k in ("without", "with")}
    variants = {name: Variant(name) for name in ddls}
    created: dict[str, list[float]] = {name: [] for name in ddls}
    size: dict[str, dict[str, int]] = {}
    try:
        for round_number in range(args.rounds):
            names = list(ddls)
            shift = round_number % len(names)
            order = names[shift:] + names[:shift]
            log(f"round {round_number + 1}/{args.rounds}: {' then '.join(order)}")
            for name in order:
                seconds = set_index(bench.engine, backend, ddls[name])
                created[name].append(seconds)
                size[name] = sizes(bench.engine, backend)
                phase(bench, variants[name], backend, args, main_headers, ids, rng, insert_timer, main_id,
                      seed_max_id)
    finally:
        set_index(bench.engine, backend, found)
    load_after = os.getloadavg()
    out = variants["without"]
    others = [v for name, v in variants.items() if name != "without"]

    def med(values: list[float]) -> float:
        return statistics.median(values)

    def row(label: str, attr: str, show, note=None) -> str:
        base = getattr(out, attr)
        cells = [show(base)] + [f"{show(getattr(v, attr))} ({med(getattr(v, attr)) / med(base):.2f}×)"
                                for v in others]
        return f"| {label} | " + " | ".join(cells) + f" | {note(out, others) if note else ''} |"

    def p95(attr):
        return lambda a, bs: "p95 " + " → ".join(ms(getattr(v, attr), 95) for v in [a, *bs])

    def rps(values: list[float]) -> str:
        return f"{med(values):,.0f}"

    lines = [
        f"### {facts['version']}: with and without `{INDEX}`", "",
        f"Command: `{command}`; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after; {time.monotonic() - started_run:.0f} s in all (seed included). "
        f"{args.rounds} rounds, each a phase per variant (order rotating); per phase "
        f"{args.runs} trend + {args.runs} monthly (interleaved, after {args.warmups} warm-ups), {args.posts} "
        f"POST /entries, {args.bulk_runs} × {args.bulk_rows:,}-row bulk inserts (rolled back). "
        f"Entries: {sum(facts['counts'].values()):,} ({facts['counts'][main_id]:,} of the main user). "
        f"Times: p50 of all phases' samples (ms); ratio = with / without.", "",
        "Variants: " + "; ".join(f"**{name}**: `{ddl or 'no index'}`" for name, ddl in ddls.items()), "",
        "| measure | " + " | ".join(variants) + " | |", "|---|" + "---:|" * len(variants) + "---|",
        row("60-month trend, wall p50 (ms)", "trend", ms, p95("trend")),
        row("60-month trend, CPU of this process p50 (ms)", "trend_cpu", ms),
        row("60-month trend, in cursor.execute p50 (ms)", "trend_sql", ms),
        row("monthly report, wall p50 (ms)", "monthly", ms, p95("monthly")),
        row("monthly report, in cursor.execute p50 (ms)", "monthly_sql", ms),
        row("POST /api/v1/entries, wall p50 (ms)", "post", ms, p95("post")),
        row("… its `INSERT INTO entries`, p50 (µs)", "post_insert_sql", us),
        row("… this process's CPU p50 (ms)", "post_cpu", ms),
        row("bulk insert (rows/s, median)", "bulk_rps", rps,
            lambda a, bs: "all: " + " → ".join(", ".join(f"{x:,.0f}" for x in v.bulk_rps) for v in [a, *bs])),
        row("bulk insert (rows per CPU-second of this process, median)", "bulk_cpu_rps", rps),
        ]
    if backend == "postgresql":
        lines += [row("WAL bytes per POSTed entry (cluster-wide WAL / POSTs: counts other databases' writes too)",
                      "post_wal", rps),
                  row("WAL bytes per bulk-inserted row (median)", "bulk_wal", rps,
                      lambda a, bs: "all: " + " → ".join(", ".join(f"{x:,.0f}" for x in v.bulk_wal)
                                                         for v in [a, *bs]))]
    lines += [""]
    for name in ddls:
        if ddls[name]:
            lines.append(f"Index size, {name}: **{size[name]['index'] / 1048576:.1f} MiB** (created in "
                         + ", ".join(f"{s:.2f}" for s in created[name]) + " s).")
    any_size = size["without"]
    lines += ["", f"The entries table: {any_size['table'] / 1048576:.1f} MiB; its other indexes together "
              f"{any_size['other_indexes'] / 1048576:.1f} MiB.", "",
              "Per phase (medians; trend / monthly / POST wall ms, INSERT µs, bulk rows/s):", ""]
    for name, variant in variants.items():
        lines.append(f"* {name}: " + "; ".join(
            f"{r['trend'] * 1000:.1f} / {r['monthly'] * 1000:.1f} / {r['post'] * 1000:.2f} / "
            f"{r['insert'] * 1e6:.0f} / {r['bulk']:,.0f}" for r in variant.rounds))
    for name, variant in variants.items():
        lines += ["", f"Trend statement plan, {name}:", "", "```", *variant.trend_plan, "```"]
    for name, variant in variants.items():
        if variant.insert_plan:
            lines += ["", f"One entry INSERT (EXPLAIN (ANALYZE, BUFFERS, WAL), rolled back), {name}:", "", "```",
                      *variant.insert_plan, "```"]
    for name, variant in variants.items():
        lines += ["", f"Monthly report daily-sums plan, {name}:", "", "```", *variant.monthly_plan, "```"]
    report = "\n".join(lines)
    print(report)
    if args.output:
        args.output.write_text(report + "\n")
    with app.app_context():
        scale.db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
