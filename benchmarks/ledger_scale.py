"""Ledger at scale: latency, SQL statements and export memory with 100,000 entries for one user.

The data (seeded in bulk, in a child process so that its memory is not counted):
* one main user with 100,000 entries spread over 60 months (2021-12-01 .. 2026-11-30): about 5% income,
  8% transfers, 87% expenses, over four accounts and the default categories plus child categories,
  with memos (Hangul, commas, quotes, a formula-like one) and tags on about 20% of the entries,
  and budgets for three categories in every month; 20% of all entries (--split-share) are split entries
  (income or expense) of 2..4 lines in different categories, with no category of their own;
* 20 other users with 10,000 entries each, interleaved with the main user's rows day by day (as a live
  database would store them), so the main user's rows are not one contiguous block.
Users are made by ledger.auth.users.create_user (so they get the Cash account and default categories);
everything else is SQLAlchemy Core insert() with lists of dicts, 5,000 rows per execute (entry ids are
assigned by the seeder, then the PostgreSQL sequence is moved past them).

The measurements go through the Flask test client, in process (no HTTP server, no network): the numbers
are the app's own cost (routing, auth check, SQL, serialization), not a gunicorn's.
The app is built with the production config (real Argon2 parameters, TESTING off) and the overrides
RATELIMIT_ENABLED=False, LOG_LEVEL=WARNING (no access-log line per request) and ACCESS_TOKEN_TTL=7200 (so one
login lasts the whole run). The access tokens come from POST /api/v1/auth/login.

Requests timed (30 runs after 3 warm-ups, the four JSON requests interleaved round-robin so that a change of
machine load hits all of them alike; p50/p95 by nearest rank):
* GET /api/v1/reports/monthly?month=2026-06
* GET /api/v1/reports/trend?from=2021-12&to=2026-11
* GET /api/v1/entries?limit=50                     (first page)
* GET /api/v1/entries?limit=50&cursor=...          (the page after the 90,000th entry; the cursor is made with
                                                    ledger.entries.cursor.encode_cursor)
* GET /api/v1/entries/export.csv                   (all 100,000 entries, read as a stream chunk by chunk;
                                                    5 runs after the memory runs)
Export memory: the main user's export (100,000 rows) and a 10,000-entry user's export, each once untraced
(process RSS from /proc/self/statm sampled after every chunk, and ru_maxrss before/after) and once under
tracemalloc (peak of Python allocations during the export). Constant memory means the two peaks are alike.

Every timed request's SQL statements are counted (before_cursor_execute). Query plans of the list queries,
the report queries and one export batch are printed (EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL,
EXPLAIN QUERY PLAN on SQLite).

THE DATABASE IS EMPTIED (every table) before seeding: use a database of its own. Its name must contain
"bench" unless --force is given. With --fresh-schema the schema itself is dropped and migrated from nothing
(for when a migration was edited in place since the last run).

Usage (from the repository root):
    .venv/bin/python benchmarks/ledger_scale.py                  # SQLite file /tmp/ledger_bench.db
    createdb -h 127.0.0.1 -U postgres ledger_bench
    .venv/bin/python benchmarks/ledger_scale.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ledger_bench
Options: --skip-seed (measure the data already there), --runs/--warmups/--export-runs, --output FILE (also
write the Markdown report there), --check (exit 1 when a target is not met).
The Markdown report goes to stdout; progress goes to stderr.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import secrets
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from math import ceil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script: `.venv/bin/python benchmarks/ledger_scale.py`

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from ledger import create_app  # noqa: E402
from ledger.accounts.models import Account  # noqa: E402
from ledger.auth.models import User  # noqa: E402
from ledger.auth.users import create_user  # noqa: E402
from ledger.budgets.models import Budget  # noqa: E402
from ledger.categories.models import Category  # noqa: E402
from ledger.entries.cursor import encode_cursor  # noqa: E402
from ledger.entries.models import Entry, EntryLine, EntryTag  # noqa: E402
from ledger.extensions import db  # noqa: E402
from ledger.months import format_month, months_between  # noqa: E402

DEFAULT_DATABASE_URL = "sqlite:////tmp/ledger_bench.db"
FIRST_DAY, LAST_DAY = date(2021, 12, 1), date(2026, 11, 30)
MAIN_EMAIL = "bench-main@example.com"
OTHER_EMAIL = "bench-other-{:02d}@example.com"
PASSWORD = "benchmark password for the ledger 2026"
CHUNK = 5_000
SEED = 20261130

EXTRA_ACCOUNTS = {"main": [("Bank", "bank"), ("Credit card", "credit_card"), ("Savings", "bank")],
                  "other": [("Bank", "bank"), ("Credit card", "credit_card")]}
CHILD_CATEGORIES = {
    ("Food", "expense"): ["Groceries", "Eating out", "Delivery"],
    ("Transport", "expense"): ["Public transit", "Taxi", "Fuel"],
    ("Housing", "expense"): ["Rent", "Maintenance"],
    ("Shopping", "expense"): ["Clothes", "Electronics"],
    ("Leisure", "expense"): ["Movies", "Travel"],
    ("Salary", "income"): ["Base pay", "Bonus"],
}
BUDGETED = {"Food": 1_500_000, "Transport": 300_000, "Leisure": 400_000}
MEMOS = ["", "", "", "", "점심", "커피", "마트 장보기", "택시", "월세", "주유", "병원", "교통카드 충전",
         "lunch with the team", "groceries, weekly", 'book "Dune"', "subscription renewal",
         "birthday gift for mom", "=SUM(A1) looks like a formula"]
TAGS = ["work", "family", "trip", "reimbursable", "subscription", "health"]

MONTHLY_TARGET_MS = 50.0
# The share of all entries that are split (issue 15: "the monthly report with 20 % split entries"); set by
# --split-share. Only income and expense entries (92 % of them) can be split.
SPLIT_SHARE = 0.20
SPLITTABLE_SHARE = 0.92
DEEP_PAGE_RATIO = 1.5
MEMORY_RATIO = 1.5


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build_app(url: str) -> Flask:
    """The production config (it wants its secrets in the environment; main() put them there)."""
    # The limits are off below; production validates the environment first, and refuses limits on without
    # an explicit storage.
    os.environ["RATELIMIT_ENABLED"] = "false"
    return create_app("production", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False, LOG_LEVEL="WARNING",
                      ACCESS_TOKEN_TTL=7200)


def backend_of(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


# --- seeding (runs in a child process) --------------------------------------------------------------------

@dataclass
class Ledger:
    """One user's (personal) ledger's ids, as the entry generator needs them."""

    ledger_id: int
    accounts: list[int]
    bank: int
    expense_categories: list[int]
    income_categories: list[int]
    budget_categories: dict[str, int] = field(default_factory=dict)


def empty_every_table(url: str) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if backend_of(url) == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            return
        for table in tables:
            if table == "categories":  # parent_id is ON DELETE RESTRICT: children first
                conn.execute(text("DELETE FROM categories WHERE parent_id IS NOT NULL"))
            conn.execute(text(f"DELETE FROM {table}"))


def provision(conn, ledger_id: int, extra_accounts: list[tuple[str, str]]) -> Ledger:
    """Extra accounts and child categories in the personal ledger of a user made by create_user."""
    now = datetime.now(UTC)
    conn.execute(insert(Account.__table__), [{"ledger_id": ledger_id, "name": name, "type": type_,
                                              "opening_balance": 0, "archived": False, "created_at": now}
                                             for name, type_ in extra_accounts])
    parents = {(name, kind): cid for cid, name, kind in conn.execute(
        select(Category.id, Category.name, Category.kind).where(Category.ledger_id == ledger_id))}
    conn.execute(insert(Category.__table__), [
        {"ledger_id": ledger_id, "name": child, "kind": kind, "parent_id": parents[(parent, kind)],
         "parent_key": parents[(parent, kind)], "color": None, "archived": False, "created_at": now}
        for (parent, kind), children in CHILD_CATEGORIES.items() for child in children])
    accounts = dict(conn.execute(select(Account.name, Account.id).where(Account.ledger_id == ledger_id)).all())
    categories = conn.execute(select(Category.id, Category.kind).where(Category.ledger_id == ledger_id)).all()
    return Ledger(ledger_id=ledger_id, accounts=sorted(accounts.values()), bank=accounts["Bank"],
                  expense_categories=[cid for cid, kind in categories if kind == "expense"],
                  income_categories=[cid for cid, kind in categories if kind == "income"],
                  budget_categories={name: parents[(name, "expense")] for name in BUDGETED})


def split_lines(rng: random.Random, ledger: Ledger, type_: str, amount: int) -> list[dict]:
    """2..4 lines adding up to `amount`, in distinct categories of the entry's kind (for executemany)."""
    count = rng.choice((2, 2, 3, 4))
    cuts = sorted(rng.sample(range(1, amount), count - 1))
    categories = rng.sample(ledger.income_categories if type_ == "income" else ledger.expense_categories, count)
    return [{"ledger_id": ledger.ledger_id, "position": i, "amount": high - low, "category_id": category,
             "memo": ""}
            for i, (low, high, category) in enumerate(zip([0, *cuts], [*cuts, amount], categories, strict=True))]


def make_entry(rng: random.Random, ledger: Ledger, day: date) -> tuple[dict, list[str], list[dict]]:
    """One entry row (all columns, for executemany), its tags and its split lines (none when unsplit)."""
    roll = rng.random()
    to_account, category = None, None
    if roll < 0.05:
        type_, account, category = "income", ledger.bank, rng.choice(ledger.income_categories)
        amount = rng.randrange(100_000, 5_000_000, 1_000)
    elif roll < 0.13:
        type_ = "transfer"
        account, to_account = rng.sample(ledger.accounts, 2)
        amount = rng.randrange(10_000, 1_000_000, 1_000)
    else:
        type_, account, category = "expense", rng.choice(ledger.accounts), rng.choice(ledger.expense_categories)
        amount = max(100, min(5_000_000, round(rng.lognormvariate(9.5, 1.0), -2)))
    created = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=rng.randrange(86_400))
    tag_roll = rng.random()
    tags = rng.sample(TAGS, 2) if tag_roll < 0.05 else [rng.choice(TAGS)] if tag_roll < 0.20 else []
    lines: list[dict] = []
    if type_ != "transfer" and amount >= 4 and rng.random() < SPLIT_SHARE / SPLITTABLE_SHARE:
        lines, category = split_lines(rng, ledger, type_, int(amount)), None
    return ({"ledger_id": ledger.ledger_id, "type": type_, "amount": int(amount), "occurred_on": day,
             "account_id": account, "to_account_id": to_account, "category_id": category,
             "memo": rng.choice(MEMOS), "version": 1, "created_at": created, "updated_at": created}, tags, lines)


def entries_by_day(rng: random.Random, plan: list[tuple[Ledger, int]]) -> Iterator[tuple[dict, list[str], list[dict]]]:
    """Every user's entries, day by day, the users' rows of a day shuffled together."""
    days = (LAST_DAY - FIRST_DAY).days + 1
    counts = [(ledger, Counter(rng.randrange(days) for _ in range(n))) for ledger, n in plan]
    for offset in range(days):
        day = FIRST_DAY + timedelta(days=offset)
        todays = [make_entry(rng, ledger, day) for ledger, per_day in counts for _ in range(per_day[offset])]
        rng.shuffle(todays)
        yield from todays


def insert_entries(conn, rows: Iterator[tuple[dict, list[str], list[dict]]], first_id: int) -> tuple[int, int, int]:
    """Bulk insert in chunks of CHUNK rows, with ids given here (first_id, first_id + 1, ...).

    Giving the ids lets the tag rows be written without RETURNING: with RETURNING, SQLAlchemy sends one
    INSERT ... VALUES statement of 1,000 rows (11,000 placeholders) per batch, which psycopg re-parses every
    time and which made the PostgreSQL seed about 2.5 times slower. The caller moves the sequence on.
    """
    entries = tags = lines = 0
    chunk: list[dict] = []
    tag_rows: list[dict] = []
    line_rows: list[dict] = []

    def flush() -> None:
        nonlocal entries, tags, lines
        conn.execute(insert(Entry.__table__), chunk)
        if tag_rows:
            conn.execute(insert(EntryTag.__table__), tag_rows)
        if line_rows:
            conn.execute(insert(EntryLine.__table__), line_rows)
        entries += len(chunk)
        tags += len(tag_rows)
        lines += len(line_rows)
        chunk.clear()
        tag_rows.clear()
        line_rows.clear()

    for row, row_tags, row_lines in rows:
        row["id"] = first_id + entries + len(chunk)
        chunk.append(row)
        tag_rows.extend({"entry_id": row["id"], "tag": tag} for tag in row_tags)
        line_rows.extend({**line, "entry_id": row["id"]} for line in row_lines)
        if len(chunk) >= CHUNK:
            flush()
            if entries % 50_000 == 0:
                log(f"  {entries:,} entries")
    if chunk:
        flush()
    return entries, tags, lines


def drop_schema(url: str) -> None:
    """Everything gone, migrations' bookkeeping included: the next upgrade builds today's schema from nothing."""
    if backend_of(url) == "postgresql":
        app = build_app(url)
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        with app.app_context():
            db.engine.dispose()
        return
    path = make_url(url).database
    for suffix in ("", "-wal", "-shm"):
        if path and os.path.exists(path + suffix):
            os.remove(path + suffix)


def seed(url: str, main_entries: int, other_users: int, other_entries: int, fresh_schema: bool) -> None:
    if fresh_schema:
        drop_schema(url)
    app = build_app(url)
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        empty_every_table(url)
        log(f"migrated and emptied in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        main = create_user(MAIN_EMAIL, PASSWORD, display_name="Bench main")
        others = [create_user(OTHER_EMAIL.format(i), PASSWORD) for i in range(1, other_users + 1)]
        log(f"{1 + other_users} users created (create_user, Argon2 included) in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        conn = db.session.connection()
        main_ledger = provision(conn, main.default_ledger_id, EXTRA_ACCOUNTS["main"])
        plan = [(main_ledger, main_entries)] + [
            (provision(conn, u.default_ledger_id, EXTRA_ACCOUNTS["other"]), other_entries) for u in others]
        months = [format_month(*m) for m in months_between((FIRST_DAY.year, FIRST_DAY.month),
                                                            (LAST_DAY.year, LAST_DAY.month))]
        conn.execute(insert(Budget.__table__), [
            {"ledger_id": main.default_ledger_id, "month": month, "category_id": main_ledger.budget_categories[name],
             "amount": amount}
            for month in months for name, amount in BUDGETED.items()])
        first_id = conn.execute(select(func.coalesce(func.max(Entry.id), 0))).scalar_one() + 1
        entries, tags, lines = insert_entries(conn, entries_by_day(random.Random(SEED), plan), first_id)
        if backend_of(url) == "postgresql":  # the ids were given: the next POST /entries must not collide
            conn.execute(text("SELECT setval(pg_get_serial_sequence('entries', 'id'), (SELECT max(id) FROM entries))"))
        db.session.commit()
        log(f"{entries:,} entries, {tags:,} tags and {lines:,} split lines inserted in "
            f"{time.perf_counter() - started:.1f} s")

        if backend_of(url) == "postgresql":
            # Autovacuum would get there within a minute of such a load; do it now so the plans are the
            # steady state's (statistics, and the visibility map for index-only scans).
            started = time.perf_counter()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                auto.execute(text("VACUUM ANALYZE"))
            log(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
        db.engine.dispose()


# --- measuring ---------------------------------------------------------------------------------------------

class StatementLog:
    """Counts the SQL statements the engine runs and the time spent in cursor.execute; keeps the first few
    (with parameters) for EXPLAIN.

    The time is from before_cursor_execute to after_cursor_execute: on PostgreSQL (psycopg) that includes
    receiving the rows, on SQLite the rows are stepped through later, in fetch, so it is a lower bound there.

    Only a few are kept: holding every export batch's parameters (1,000 ids for the tag lookup) would
    itself be memory that grows with the rows and spoil the export's memory measurement.
    """

    KEPT = 8

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.seconds = 0.0
        self._started = 0.0
        self.kept: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        if len(self.kept) < self.KEPT:
            self.kept.append((statement, parameters))
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seconds += time.perf_counter() - self._started

    def take(self) -> tuple[int, float, list[tuple[str, object]]]:
        """(statements, seconds in execute, the first KEPT statements) since the last take; then start afresh."""
        taken = self.count, self.seconds, self.kept
        self.count, self.seconds, self.kept = 0, 0.0, []
        return taken


@dataclass
class Timing:
    label: str
    path: str
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    sql_seconds: list[float] = field(default_factory=list)
    statements: set[int] = field(default_factory=set)
    size: int = 0
    last_sql: list[tuple[str, object]] = field(default_factory=list)


@dataclass
class ExportRun:
    seconds: float
    size: int
    rows: int
    statements: int
    sql_seconds: float = 0.0
    cpu_seconds: float = 0.0
    rss_before: int = 0        # bytes, /proc/self/statm
    rss_peak: int = 0          # bytes, highest sample taken after each chunk
    maxrss_before: int = 0     # bytes, getrusage ru_maxrss (the process's high-water mark)
    maxrss_after: int = 0
    traced_peak: int = 0       # bytes, tracemalloc peak during the export
    sql: list[tuple[str, object]] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, ceil(q / 100 * len(ordered)) - 1)]


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def mib(size: int) -> str:
    return f"{size / 1048576:.2f} MiB"


class Bench:
    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        self.url = url
        self.client = app.test_client()
        with app.app_context():
            self.engine = db.engine
        self.sql = StatementLog(self.engine)

    def login(self, email: str) -> dict[str, str]:
        response = self.client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        if response.status_code != 200:
            raise SystemExit(f"login of {email} failed: {response.status_code} {response.get_data()[:300]!r}")
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    def get(self, path: str, headers: dict[str, str]) -> tuple[float, float, bytes, tuple[int, float, list]]:
        """(wall seconds, this process's CPU seconds, body, statements) of one GET."""
        self.sql.take()
        cpu = time.process_time()
        started = time.perf_counter()
        response = self.client.get(path, headers=headers)
        body = response.get_data()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        response.close()
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code} {body[:300]!r}")
        return elapsed, cpu, body, self.sql.take()

    def export(self, headers: dict[str, str], *, sample_rss: bool = False, traced: bool = False) -> ExportRun:
        """GET /entries/export.csv read chunk by chunk, never held whole."""
        gc.collect()
        self.sql.take()
        run = ExportRun(0.0, 0, 0, 0, rss_before=rss_bytes(), maxrss_before=maxrss_bytes())
        run.rss_peak = run.rss_before
        if traced:
            tracemalloc.start()
        cpu = time.process_time()
        started = time.perf_counter()
        response = self.client.get("/api/v1/entries/export.csv", headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"export: {response.status_code} {response.get_data()[:300]!r}")
        lines = 0
        for chunk in response.iter_encoded():
            run.size += len(chunk)
            lines += chunk.count(b"\r\n")
            if sample_rss:
                run.rss_peak = max(run.rss_peak, rss_bytes())
        response.close()
        run.seconds = time.perf_counter() - started
        run.cpu_seconds = time.process_time() - cpu
        if traced:
            run.traced_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        run.maxrss_after = maxrss_bytes()
        run.rows = lines - 1  # the header; the seeded memos hold no line breaks
        run.statements, run.sql_seconds, run.sql = self.sql.take()
        return run

    def explain(self, statement: str, parameters: object) -> list[str]:
        """The plan of a statement exactly as the app sent it (same SQL, same bound values)."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if backend_of(self.url) == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                lines = [row[0] for row in cursor.fetchall()]
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                lines = [detail for _, _, _, detail in cursor.fetchall()]
            cursor.close()
            raw.rollback()
        finally:
            raw.close()
        return lines


def entry_position(app: Flask, ledger_id: int, offset: int) -> tuple[date, int]:
    """(occurred_on, id) of the entry at `offset` (0-based) in list order."""
    with app.app_context():
        row = db.session.execute(
            select(Entry.occurred_on, Entry.id).where(Entry.ledger_id == ledger_id)
            .order_by(Entry.occurred_on.desc(), Entry.id.desc()).offset(offset).limit(1)).one()
        db.session.remove()
    return row.occurred_on, row.id


def database_facts(app: Flask, url: str) -> dict:
    with app.app_context():
        # email → the user's personal (default) ledger, and the entries per ledger
        users = dict(db.session.execute(select(User.email, User.default_ledger_id)).all())
        counts = dict(db.session.execute(select(Entry.ledger_id, func.count()).group_by(Entry.ledger_id)).all())
        tags = db.session.execute(select(func.count()).select_from(EntryTag)).scalar_one()
        lines = db.session.execute(select(func.count()).select_from(EntryLine)).scalar_one()
        split = db.session.execute(select(func.count(func.distinct(EntryLine.entry_id)))
                                   .where(EntryLine.ledger_id == users.get(MAIN_EMAIL))).scalar_one()
        if backend_of(url) == "postgresql":
            version = "PostgreSQL " + db.session.execute(text("SHOW server_version")).scalar_one()
            size = db.session.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        else:
            version = "SQLite " + sqlite3.sqlite_version
            path = make_url(url).database
            size = os.path.getsize(path) if path and os.path.exists(path) else 0
        db.session.remove()
    return {"users": users, "counts": counts, "tags": tags, "lines": lines, "split": split, "version": version,
            "size": size}


def interleaved(timings: list[Timing], runs: int, warmups: int, call: Callable[[Timing], None]) -> None:
    for _ in range(warmups):
        for timing in timings:
            call(timing)
    for timing in timings:
        timing.seconds.clear()
        timing.cpu_seconds.clear()
        timing.sql_seconds.clear()
        timing.statements.clear()
    for _ in range(runs):
        for timing in timings:
            call(timing)


def measure(args: argparse.Namespace) -> int:
    url = args.database_url
    app = build_app(url)
    facts = database_facts(app, url)
    if MAIN_EMAIL not in facts["users"] or facts["counts"].get(facts["users"][MAIN_EMAIL]) != args.main_entries:
        raise SystemExit("the database does not hold the seeded data; run without --skip-seed")
    main_ledger_id = facts["users"][MAIN_EMAIL]
    small_email = OTHER_EMAIL.format(1)
    bench = Bench(app, url)
    load_before = os.getloadavg()
    started_at = datetime.now(UTC)

    log("logging in through POST /api/v1/auth/login")
    main_headers = bench.login(MAIN_EMAIL)
    small_headers = bench.login(small_email)

    # Export memory first, while the process is young. One warm-up export loads every code path.
    log(f"export memory: warm-up, then RSS-sampled and tracemalloc-traced exports of {small_email} and the main user")
    bench.export(small_headers)
    rss_small = bench.export(small_headers, sample_rss=True)
    rss_main = bench.export(main_headers, sample_rss=True)
    traced_small = bench.export(small_headers, traced=True)
    traced_main = bench.export(main_headers, traced=True)

    log(f"export timing: {args.export_runs} runs")
    exports = [bench.export(main_headers) for _ in range(args.export_runs)]

    deep = args.deep_offset
    day, entry_id = entry_position(app, main_ledger_id, deep - 1)
    expected_next = entry_position(app, main_ledger_id, deep)[1]
    with app.app_context():
        cursor = encode_cursor(day, entry_id)
    timings = [
        Timing("monthly report", "/api/v1/reports/monthly?month=2026-06"),
        Timing("60-month trend", f"/api/v1/reports/trend?from={FIRST_DAY:%Y-%m}&to={LAST_DAY:%Y-%m}"),
        Timing("list, first page", "/api/v1/entries?limit=50"),
        Timing(f"list, page after {deep:,} entries", f"/api/v1/entries?limit=50&cursor={cursor}"),
    ]
    _, _, body, _ = bench.get(timings[3].path, main_headers)
    first_item = json.loads(body)["items"][0]["id"]
    if first_item != expected_next:
        raise SystemExit(f"the deep page starts at entry {first_item}, expected {expected_next}")

    def call(timing: Timing) -> None:
        elapsed, cpu, body, (count, sql_seconds, statements) = bench.get(timing.path, main_headers)
        timing.seconds.append(elapsed)
        timing.cpu_seconds.append(cpu)
        timing.sql_seconds.append(sql_seconds)
        timing.statements.add(count)
        timing.size = len(body)
        timing.last_sql = statements

    log(f"JSON requests: {args.warmups} warm-ups + {args.runs} runs each, interleaved")
    interleaved(timings, args.runs, args.warmups, call)
    load_after = os.getloadavg()

    plans = collect_plans(bench, timings, exports[-1] if exports else rss_main)
    report, all_met = render(args, facts, timings, exports, (rss_small, rss_main), (traced_small, traced_main),
                             plans, load_before, load_after, started_at)
    print(report)
    if args.output:
        Path(args.output).write_text(report + "\n")
    with app.app_context():
        db.engine.dispose()
    return 1 if args.check and not all_met else 0


def collect_plans(bench: Bench, timings: list[Timing], export: ExportRun) -> list[tuple[str, str, list[str]]]:
    """(request, statement, plan) for each statement that reads entries, as the app sent it."""
    plans = []
    for timing in timings:
        for statement, parameters in timing.last_sql:
            if "FROM entries" in statement:
                plans.append((timing.label, statement, bench.explain(statement, parameters)))
    batches = [(s, p) for s, p in export.sql if "FROM entries" in s]
    if len(batches) > 1:  # the second batch query is the keyset one that repeats (the first has no cursor)
        plans.append(("CSV export, one batch", batches[1][0], bench.explain(*batches[1])))
    return plans


def render(args, facts, timings, exports, rss_runs, traced_runs, plans, load_before, load_after,
           started_at) -> tuple[str, bool]:
    """The Markdown report, and whether every target was met."""
    counts = facts["counts"]
    main_count = counts[facts["users"][MAIN_EMAIL]]
    total = sum(counts.values())
    lines = [
        f"## {backend_of(args.database_url)}: {facts['version']}",
        "",
        f"* run: {started_at:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"load average (1/5/15 min) {'/'.join(f'{x:.2f}' for x in load_before)} before, "
        f"{'/'.join(f'{x:.2f}' for x in load_after)} after",
        f"* data: main user {main_count:,} entries, {len(counts) - 1} other users with "
        f"{min(c for u, c in counts.items() if u != facts['users'][MAIN_EMAIL]):,} entries each; "
        f"{total:,} entries, {facts['tags']:,} tags, {facts['lines']:,} split lines in all; the main user's split "
        f"entries {facts['split']:,} ({facts['split'] / main_count:.1%}); database {mib(facts['size'])}",
        "* app: create_app(\"production\", RATELIMIT_ENABLED=False, LOG_LEVEL=\"WARNING\", ACCESS_TOKEN_TTL=7200), "
        "requests through the Flask test client in process",
        f"* {args.runs} runs after {args.warmups} warm-ups (interleaved); the export: {len(exports)} runs after "
        "4 memory runs; p50/p95 by nearest rank",
        "",
        "| request | p50 ms | p95 ms | min ms | SQL statements | SQL execute p50 ms | app CPU p50 ms | "
        "response bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for timing in timings:
        lines.append(f"| `GET {timing.path if 'cursor' not in timing.path else '/api/v1/entries?limit=50&cursor=…'}`"
                     f" ({timing.label}) | {ms(percentile(timing.seconds, 50))} | "
                     f"{ms(percentile(timing.seconds, 95))} | {ms(min(timing.seconds))} | "
                     f"{'/'.join(map(str, sorted(timing.statements)))} | "
                     f"{ms(percentile(timing.sql_seconds, 50))} | {ms(percentile(timing.cpu_seconds, 50))} | "
                     f"{timing.size:,} |")
    export_seconds = [run.seconds for run in exports]
    size = exports[0].size if exports else rss_runs[1].size
    if exports:
        lines.append(f"| `GET /api/v1/entries/export.csv` ({exports[0].rows:,} rows, streamed) | "
                     f"{ms(percentile(export_seconds, 50))} | {ms(percentile(export_seconds, 95))} | "
                     f"{ms(min(export_seconds))} | {exports[0].statements} | "
                     f"{ms(percentile([run.sql_seconds for run in exports], 50))} | "
                     f"{ms(percentile([run.cpu_seconds for run in exports], 50))} | {size:,} |")
    lines += [
        "",
        "Export memory (same process; RSS sampled after every chunk; tracemalloc in a separate run):",
        "",
        "| export | rows | bytes | SQL statements | tracemalloc peak | RSS before → peak during | "
        "ru_maxrss before → after |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, rss_run, traced_run in zip((OTHER_EMAIL.format(1), MAIN_EMAIL), rss_runs, traced_runs, strict=True):
        lines.append(f"| {name} | {rss_run.rows:,} | {rss_run.size:,} | {rss_run.statements} | "
                     f"{mib(traced_run.traced_peak)} | {mib(rss_run.rss_before)} → {mib(rss_run.rss_peak)} "
                     f"(+{mib(rss_run.rss_peak - rss_run.rss_before)}) | {mib(rss_run.maxrss_before)} → "
                     f"{mib(rss_run.maxrss_after)} |")

    monthly_p50 = percentile(timings[0].seconds, 50) * 1000
    first_p50 = percentile(timings[2].seconds, 50)
    deep_p50 = percentile(timings[3].seconds, 50)
    ratio = deep_p50 / first_p50
    small_peak, main_peak = traced_runs[0].traced_peak, traced_runs[1].traced_peak
    memory_ratio = main_peak / small_peak
    rows_ratio = traced_runs[1].rows / traced_runs[0].rows

    met = [monthly_p50 < MONTHLY_TARGET_MS, ratio <= DEEP_PAGE_RATIO, memory_ratio <= MEMORY_RATIO]

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    lines += [
        "",
        "### Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| monthly report p50 < {MONTHLY_TARGET_MS:.0f} ms | {monthly_p50:.1f} ms | "
        f"{verdict(met[0])} |",
        f"| page after {args.deep_offset:,} entries p50 ≤ {DEEP_PAGE_RATIO}× first page p50 | "
        f"{ms(deep_p50)} ms vs {ms(first_p50)} ms = {ratio:.2f}× | {verdict(met[1])} |",
        f"| export in constant memory (tracemalloc peak for {rows_ratio:.0f}× the rows ≤ {MEMORY_RATIO}×) | "
        f"{mib(main_peak)} for {traced_runs[1].rows:,} rows vs {mib(small_peak)} for {traced_runs[0].rows:,} "
        f"= {memory_ratio:.2f}× | {verdict(met[2])} |",
        "",
        "### Query plans (the statements as the app sent them)",
    ]
    for label, statement, plan in plans:
        lines += ["", f"{label}:", "```sql", statement.strip(), "```", "```", *plan, "```"]
    return "\n".join(lines), all(met)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help=f"SQLAlchemy URL of a database of its own (EMPTIED); default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    parser.add_argument("--skip-seed", action="store_true", help="measure the data already seeded")
    parser.add_argument("--fresh-schema", action="store_true",
                        help="drop the whole schema (PostgreSQL) or file (SQLite) first, then migrate from nothing "
                             "(needed when a migration was edited in place)")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--export-runs", type=int, default=5)
    parser.add_argument("--main-entries", type=int, default=100_000)
    parser.add_argument("--other-users", type=int, default=20)
    parser.add_argument("--other-entries", type=int, default=10_000)
    parser.add_argument("--deep-offset", type=int, default=90_000, help="the deep page starts after this entry")
    parser.add_argument("--split-share", type=float, default=0.20,
                        help="share of all entries that are split (income/expense only); default 0.2")
    parser.add_argument("--output", help="also write the Markdown report to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is not met")
    args = parser.parse_args()

    name = make_url(args.database_url).database or ""
    if "bench" not in name and not args.force:
        parser.error(f"{args.database_url} will be EMPTIED; its name must contain 'bench' (or pass --force)")
    if not 0 < args.deep_offset < args.main_entries:
        parser.error("--deep-offset must be between 1 and --main-entries - 1")
    global SPLIT_SHARE  # noqa: PLW0603 - the seeding child reads it (one option, one module)
    SPLIT_SHARE = args.split_share
    if not 0 <= SPLIT_SHARE <= SPLITTABLE_SHARE:
        parser.error(f"--split-share must be between 0 and {SPLITTABLE_SHARE}")
    # The production config reads its secrets and DATABASE_URL from the environment.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("JWT_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ["DATABASE_URL"] = args.database_url

    if args.seed_only:
        seed(args.database_url, args.main_entries, args.other_users, args.other_entries, args.fresh_schema)
        return 0
    if not args.skip_seed:
        log(f"seeding {args.database_url} in a child process")
        child = [sys.executable, __file__, "--seed-only", "--force", "--database-url", args.database_url,
                 "--main-entries", str(args.main_entries), "--other-users", str(args.other_users),
                 "--other-entries", str(args.other_entries), "--deep-offset", str(args.deep_offset),
                 "--split-share", str(args.split_share)]
        if args.fresh_schema:
            child.append("--fresh-schema")
        if subprocess.run(child, check=False).returncode != 0:
            return 1
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())
