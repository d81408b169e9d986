"""What an authenticated request costs: ledger next to the stateless limit and the pattern it replaces.

One command, both databases side by side, ratios as well as req/s (the machine is shared and noisy; the
ratios within one run are what to compare between runs):

    .venv/bin/python benchmarks/auth_overhead.py            # the full run (about 6 minutes)
    .venv/bin/python benchmarks/auth_overhead.py --quick    # a smoke run (about 1.5 minutes)

Targets, each `GET /api/v1/me` with one valid ledger access token unless said otherwise:

1. `stateless`: bare Flask + flask-jwt-extended, no revocation (benchmarks/refapps/stateless.py) -- the limit;
2. `core`: bare Flask + one SQLAlchemy Core statement, user + version (refapps/core_one_statement.py);
3. `seed`: bare Flask + the seed's decorator, one token row per user, three queries (refapps/seed_decorator.py);
4. `me`: ledger `GET /api/v1/me`;
4b. `me_redis`: ledger `GET /api/v1/me` with AUTH_STATE_URL (the optional Redis copy of the auth state,
   ledger/auth/state.py): a second ledger server of the same database with `--redis-url` (one Redis db
   number of this benchmark's own, FLUSHED before every measurement of this target, so that the two
   databases' copies, which share user and session ids, never meet). The first request after the flush
   misses and fills the copy; every later one is a hit (one pipelined round trip) until the copy's
   AUTH_STATE_TTL (5 s) runs out, then one request per worker reads the database and fills it again.
   `--skip-redis` leaves this target out;
5. `healthz`: ledger `GET /healthz` (no token, no database);
6. `entries`: ledger `GET /api/v1/entries?limit=50` (a user with --entries entries);
7. `refresh`: ledger `POST /api/v1/auth/refresh`, body transport, every request a real rotation with a fresh
   refresh token: wrk's Lua script (benchmarks/refresh.lua) keeps a pool of refresh tokens (6 logins per
   round, for 4 connections); each request takes one, each 200 puts its successor back. A request that
   fails loses its token and shows up as non-2xx.

How: every target is its own `gunicorn` with 1 sync worker (gunicorn.conf.py, via tests/support/gunicorn.py),
measured with `wrk -t1 -c4 -d4s`; 3 rounds, the targets interleaved within each round (both databases in the
same round, the order rotated every round) so that machine noise hits all of them alike; the table gives
the median of the rounds, and each ratio is the median of the per-round ratios (target / stateless of the
same database in the same round). Then `me` with 1, 2 and 4 workers (interleaved the same way). Then an in-process
cProfile of --profile-requests `GET /api/v1/me` on SQLite (Flask test client), with the PyJWT calls and
SQL statements per request.

ledger runs in the production config: LEDGER_ENV=production with generated secrets, RATELIMIT_ENABLED=false,
RATELIMIT_STORAGE_URI=memory://, REFRESH_TOKEN_TRANSPORT=body, LOG_LEVEL default (INFO: one JSON line per
request), ACCESS_TOKEN_TTL=3600 (so one token outlives the run; it costs nothing per request). All servers
share one JWT_SECRET_KEY, so the ledger's tokens are valid on the reference apps, which verify them the same
way (HS256, iss, aud).

Databases: PostgreSQL `--pg-url` (default ledger_auth_bench on 127.0.0.1; DROPPED AND RE-CREATED, so its
name must contain "bench") and a fresh SQLite file in a temporary folder. Markdown report on stdout,
progress on stderr; --output FILE writes the report there too.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository root, for tests.support and benchmarks
    sys.path.insert(0, str(ROOT))
from tests.support.gunicorn import Server, migrate, running  # noqa: E402

PASSWORD = "auth overhead benchmark 2026"
EMAIL = "bench-auth@example.com"
REFRESH_LUA = ROOT / "benchmarks" / "refresh.lua"
REFRESH_POOL = 6  # logins per refresh round: 4 connections + 2 spare
TIMEOUT = 15

TARGETS = [  # key, label, app, path
    ("stateless", "bare Flask + flask-jwt-extended, no revocation (the limit)", "benchmarks.refapps.stateless:app",
     "/api/v1/me"),
    ("core", "bare Flask, one SQLAlchemy Core statement (user + version)",
     "benchmarks.refapps.core_one_statement:app", "/api/v1/me"),
    ("seed", "bare Flask, the seed's decorator (three queries)", "benchmarks.refapps.seed_decorator:app",
     "/api/v1/me"),
    ("me", "**ledger `GET /api/v1/me`**", "wsgi:app", "/api/v1/me"),
    ("me_redis", "**ledger `GET /api/v1/me` with `AUTH_STATE_URL`** (Redis copy, hits)", "wsgi:app",
     "/api/v1/me"),
    ("healthz", "ledger `GET /healthz` (no token, no database)", "wsgi:app", "/healthz"),
    ("entries", "ledger `GET /api/v1/entries?limit=50`", "wsgi:app", "/api/v1/entries?limit=50"),
    ("refresh", "ledger `POST /api/v1/auth/refresh` (a real rotation each)", "wsgi:app", "/api/v1/auth/refresh"),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Database:
    name: str  # "PostgreSQL" / "SQLite"
    url: str
    servers: dict[str, Server] = field(default_factory=dict)  # "stateless", "core", "seed", "ledger", "ledger_redis"
    access: str = ""
    user_id: int = 0
    entries: int = 0
    results: dict[str, list[float]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    scaling: dict[int, list[float]] = field(default_factory=dict)


# -- databases ------------------------------------------------------------------------------------------

def fresh_postgres(url: str, force: bool) -> str:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"--pg-url: the database name must be a plain identifier, not {name!r}")
    if "bench" not in name and not force:
        raise SystemExit(f"refusing to drop {name!r}: its name lacks 'bench' (use --force)")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return url


def seed_user(db: Database, base: str, entries: int) -> None:
    """Register the benchmark user, log in, and create `entries` entries through the API."""
    http = requests.Session()
    response = http.post(base + "/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD},
                         timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    db.access = login(base)["access_token"]
    http.headers["Authorization"] = f"Bearer {db.access}"
    me = http.get(base + "/api/v1/me", timeout=TIMEOUT).json()
    db.user_id = me["id"]
    accounts = http.get(base + "/api/v1/accounts", timeout=TIMEOUT).json()["items"]
    categories = http.get(base + "/api/v1/categories", timeout=TIMEOUT).json()["items"]
    cash = accounts[0]["id"]
    expense = [c["id"] for c in categories if c["kind"] == "expense"]
    income = [c["id"] for c in categories if c["kind"] == "income"]
    for i in range(entries):
        body = {"type": "expense", "amount": 1000 + 37 * i, "occurred_on": f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}",
                "account_id": cash, "category_id": expense[i % len(expense)], "memo": f"benchmark entry {i}",
                "tags": ["bench", f"t{i % 5}"] if i % 3 == 0 else None}
        if i % 10 == 0:
            body.update(type="income", category_id=income[i % len(income)])
        response = http.post(base + "/api/v1/entries", json=body, timeout=TIMEOUT)
        assert response.status_code == 201, response.text


def login(base: str) -> dict:
    response = requests.post(base + "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD},
                             timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def seed_token_row(db: Database) -> None:
    """The seed's one token row per user (refapps/seed_decorator.py), holding the jti of our access token."""
    import jwt as pyjwt

    claims = pyjwt.decode(db.access, options={"verify_signature": False})
    engine = create_engine(db.url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS seed_user_tokens (user_id INTEGER PRIMARY KEY, "
                          "jti VARCHAR(64) NOT NULL, expires_at TIMESTAMP NOT NULL)"))
        conn.execute(text("DELETE FROM seed_user_tokens"))
        conn.execute(text("INSERT INTO seed_user_tokens (user_id, jti, expires_at) VALUES (:u, :j, :e)"),
                     {"u": int(claims["sub"]), "j": claims["jti"],
                      "e": datetime.fromtimestamp(claims["exp"], UTC).replace(tzinfo=None)})
    engine.dispose()


def server_for(db: Database, key: str) -> Server:
    if key in ("stateless", "core", "seed"):
        return db.servers[key]
    return db.servers["ledger_redis" if key == "me_redis" else "ledger"]


def flush_redis(url: str) -> None:
    """Empty the benchmark's own Redis db (only that db number: FLUSHDB, never FLUSHALL)."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    client.flushdb()
    client.close()


def redis_keys(url: str) -> int:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        return client.dbsize()
    finally:
        client.close()


# -- measuring --------------------------------------------------------------------------------------------

@dataclass
class WrkResult:
    rps: float
    non_2xx: int
    socket_errors: str
    p50_ms: float | None


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, args: argparse.Namespace, *, token: str | None = None, script: Path | None = None,
            script_args: list[str] | None = None) -> WrkResult:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    out = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 60, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:\s+(.*)", out)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    return WrkResult(rps, int(non_2xx.group(1)) if non_2xx else 0, errors.group(1) if errors else "",
                     _ms(*p50.groups()) if p50 else None)


def measure(db: Database, key: str, args: argparse.Namespace, workdir: Path) -> WrkResult:
    path = next(t[3] for t in TARGETS if t[0] == key)
    server = server_for(db, key)
    url = server.base_url + path
    if key == "me_redis":
        flush_redis(args.redis_url)
    if key == "healthz":
        return run_wrk(url, args)
    if key == "refresh":
        pool = workdir / f"refresh-{db.name}.txt"
        pool.write_text("\n".join(login(server.base_url)["refresh_token"] for _ in range(REFRESH_POOL)) + "\n")
        return run_wrk(url, args, script=REFRESH_LUA, script_args=[str(pool)])
    return run_wrk(url, args, token=db.access)


def check_targets(db: Database, targets: list, redis_url: str) -> None:
    """Every target answers 200 with our token before anything is measured (a 401 would look fast)."""
    headers = {"Authorization": f"Bearer {db.access}"}
    for key, _, _, path in targets:
        server = server_for(db, key)
        if key == "me_redis":
            flush_redis(redis_url)
        if key == "refresh":
            token = login(server.base_url)["refresh_token"]
            response = requests.post(server.base_url + path, json={"refresh_token": token}, timeout=TIMEOUT)
            assert response.status_code == 200 and "refresh_token" in response.json(), response.text
            again = requests.post(server.base_url + path, json={"refresh_token": response.json()["refresh_token"]},
                                  timeout=TIMEOUT)
            assert again.status_code == 200, again.text
            continue
        response = requests.get(server.base_url + path, headers=headers, timeout=TIMEOUT)
        assert response.status_code == 200, (db.name, key, response.status_code, response.text)
        if path == "/api/v1/me":
            assert response.json()["id"] == db.user_id, (key, response.text)
        if key == "entries":
            assert len(response.json()["items"]) == min(50, db.entries), response.text
        if key == "me_redis":  # the miss filled the copy: the user's and the session's hash
            assert redis_keys(redis_url) == 2, (db.name, redis_keys(redis_url))
            again = requests.get(server.base_url + path, headers=headers, timeout=TIMEOUT)
            assert again.status_code == 200 and again.json()["id"] == db.user_id, again.text


def record(db: Database, bucket: dict, key, result: WrkResult, label: str) -> None:
    bucket.setdefault(key, []).append(result.rps)
    note = ""
    if result.non_2xx:
        db.problems.append(f"{label}: {result.non_2xx} non-2xx responses in one round")
        note = f"  NON-2xx {result.non_2xx}"
    log(f"  {db.name:<10} {label:<10} {result.rps:8.1f} req/s  p50 {result.p50_ms or 0:6.2f} ms"
        f"  socket errors: {result.socket_errors or 'none'}{note}")


# -- profile ----------------------------------------------------------------------------------------------

PYJWT_FUNCTIONS = [  # (file suffix, function): what to count per request
    ("jwt/api_jwt.py", "decode"), ("jwt/api_jwt.py", "decode_complete"),
    ("jwt/api_jws.py", "decode_complete"), ("jwt/api_jws.py", "get_unverified_header"),
    ("jwt/api_jws.py", "_load"), ("jwt/api_jws.py", "_verify_signature"), ("jwt/utils.py", "base64url_decode"),
]


def profile_me(name: str, url: str, token: str, jwt_secret: str, requests_count: int,
               redis_url: str | None = None) -> str:
    """cProfile of `GET /api/v1/me` through the Flask test client, in this process, on the run's database
    (with the Redis copy of the auth state when `redis_url` is given; its db is flushed first)."""
    os.environ.update({"LEDGER_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48),
                       "JWT_SECRET_KEY": jwt_secret, "RATELIMIT_ENABLED": "false",
                       "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "WARNING",
                       "AUTH_STATE_URL": redis_url or ""})
    if redis_url:
        flush_redis(redis_url)
    from sqlalchemy import event

    from ledger import create_app
    from ledger.extensions import db as ledger_db

    app = create_app("production")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    statements = []
    with app.app_context():
        event.listen(ledger_db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for _ in range(50):  # warm-up: imports, pools, caches
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    statements.clear()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests_count):
        client.get("/api/v1/me", headers=headers)
    plain_ms = (time.perf_counter() - started) * 1000 / requests_count
    plain_cpu_ms = (time.process_time() - cpu) * 1000 / requests_count
    per_request_statements = len(statements) / requests_count
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests_count):
        response = client.get("/api/v1/me", headers=headers)
    profiler.disable()
    profiled_ms = (time.perf_counter() - started) * 1000 / requests_count
    assert response.status_code == 200
    stats = pstats.Stats(profiler)
    title = f"{name}, AUTH_STATE_URL" if redis_url else name
    lines = [f"### cProfile: {requests_count:,} in-process `GET /api/v1/me` on {title} (Flask test client)", "",
             f"Without the profiler: {plain_ms:.3f} ms per request wall, {plain_cpu_ms:.3f} ms CPU; "
             f"with it: {profiled_ms:.3f} ms. SQL statements per request: {per_request_statements:g} "
             f"({statements[0].split()[0] if statements else '-'} ...).", "",
             "PyJWT calls per request (ncalls / requests):", "",
             "| function | per request | tottime ms/req | cumtime ms/req |", "|---|---:|---:|---:|"]
    for (filename, _, name), (_, nc, tt, ct, _) in sorted(stats.stats.items()):
        if any(filename.endswith(suffix) and name == func for suffix, func in PYJWT_FUNCTIONS):
            short = filename[filename.index("jwt/"):]
            lines.append(f"| `{short}:{name}` | {nc / requests_count:g} | {tt * 1000 / requests_count:.3f} "
                         f"| {ct * 1000 / requests_count:.3f} |")
    with app.app_context():
        ledger_db.engine.dispose()
    for order, count in (("cumulative", 40), ("tottime", 25)):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order).print_stats(count)
        body = buffer.getvalue()
        body = body[body.index("   ncalls"):] if "   ncalls" in body else body
        lines += ["", f"Top {count} by {order} (times in s for all {requests_count:,} requests):", "", "```",
                  body.rstrip(), "```"]
    return "\n".join(lines)


# -- report -----------------------------------------------------------------------------------------------

def fmt(value: float) -> str:
    return f"{value:,.0f}"


def ratio(values: list[float], limits: list[float]) -> float:
    """The median of the per-round ratios: each round's target against the same round's reference, measured
    within a minute of each other, so a slow drift of the machine's load cancels out."""
    return statistics.median(v / limit for v, limit in zip(values, limits, strict=True))


def report(dbs: list[Database], args: argparse.Namespace, command: str, started: float, loads: tuple) -> str:
    lines = [f"Command: `{command}`", "",
             f"Each target: gunicorn, 1 sync worker; `wrk -t{args.threads} -c{args.connections} -d{args.duration}s`; "
             f"req/s: median of {args.rounds} round(s), targets interleaved; ratio: median of the per-round ratios; "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
             f"load average {loads[0]:.2f} before, {os.getloadavg()[0]:.2f} after; "
             f"{time.monotonic() - started:.0f} s.", ""]
    header = "| target |" + "".join(f" {db.name} req/s | ratio |" for db in dbs)
    lines += [header, "|---|" + "---:|---:|" * len(dbs)]
    for key, label, _, _ in active_targets(args):
        row = f"| {label} |"
        for db in dbs:
            row += (f" {fmt(statistics.median(db.results[key]))} |"
                    f" {ratio(db.results[key], db.results['stateless']):.2f} |")
        lines.append(row)
    lines += ["", "Every round (req/s):", ""]
    for db in dbs:
        for key, _, _, _ in active_targets(args):
            lines.append(f"* {db.name} {key}: " + ", ".join(fmt(v) for v in db.results[key]))
    if any(db.scaling for db in dbs):
        lines += ["", f"`GET /api/v1/me` with 1, 2 and 4 gunicorn workers ({os.cpu_count()} CPUs; same wrk; "
                      f"median of {args.rounds}, interleaved):", "",
                  "| workers |" + "".join(f" {db.name} req/s | × 1 worker |" for db in dbs),
                  "|---:|" + "---:|---:|" * len(dbs)]
        for workers in args.scaling:
            row = f"| {workers} |"
            for db in dbs:
                row += (f" {fmt(statistics.median(db.scaling[workers]))} |"
                        f" {ratio(db.scaling[workers], db.scaling[args.scaling[0]]):.2f} |")
            lines.append(row)
    lines += ["", "Issue 10's targets (each a median of the per-round ratios of this run):", "",
              "| target | " + " | ".join(db.name for db in dbs) + " |", "|---|" + "---|" * len(dbs)]
    goals = {"PostgreSQL": 0.45, "SQLite": 0.80}
    row = "| `me` / stateless (≥ 0.45 PostgreSQL, ≥ 0.80 SQLite) |"
    for db in dbs:
        value = ratio(db.results["me"], db.results["stateless"])
        row += f" {value:.2f}: {'met' if value >= goals[db.name] else '**missed**'} |"
    lines.append(row)
    row = "| `me` / seed (≥ 2) |"
    for db in dbs:
        value = ratio(db.results["me"], db.results["seed"])
        row += f" {value:.2f}: {'met' if value >= 2 else '**missed**'} |"
    lines.append(row)
    if "me_redis" in dbs[0].results:
        row = "| `me_redis` / stateless (≥ 0.60 PostgreSQL) |"
        for db in dbs:
            value = ratio(db.results["me_redis"], db.results["stateless"])
            verdict = ("met" if value >= 0.60 else "**missed**") if db.name == "PostgreSQL" else "no target"
            row += f" {value:.2f}: {verdict} |"
        lines.append(row)
        row = "| `me_redis` / `me` |"
        for db in dbs:
            row += f" {ratio(db.results['me_redis'], db.results['me']):.2f} |"
        lines.append(row)
    problems = [p for db in dbs for p in db.problems]
    lines += ["", "Problems: " + ("; ".join(problems) if problems else "none (every response 2xx)")]
    return "\n".join(lines)


def active_targets(args: argparse.Namespace) -> list:
    return [t for t in TARGETS if not (t[0] == "me_redis" and args.skip_redis)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 round of 1 s, 20 entries, 300 profiled requests")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/ledger_auth_bench")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9",
                        help="the Redis db of the me_redis target: FLUSHED (FLUSHDB) before each of its runs")
    parser.add_argument("--skip-redis", action="store_true", help="leave the me_redis target out")
    parser.add_argument("--force", action="store_true", help="drop a --pg-url database whose name lacks 'bench'")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--entries", type=int, default=200, help="entries of the benchmark user")
    parser.add_argument("--scaling", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4],
                        help="worker counts for GET /me (empty: skip)")
    parser.add_argument("--profile-requests", type=int, default=2000, help="0: no profile")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.duration, args.entries, args.profile_requests = 1, 1, 20, 300
    targets = active_targets(args)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    command = "python benchmarks/auth_overhead.py " + " ".join(sys.argv[1:])
    started, loads = time.monotonic(), os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="ledger-auth-bench-"))
    jwt_secret = secrets.token_urlsafe(48)
    dbs = [] if args.skip_postgres else [Database("PostgreSQL", fresh_postgres(args.pg_url, args.force))]
    dbs.append(Database("SQLite", f"sqlite:///{workdir / 'ledger.db'}"))
    ledger_env = {"LEDGER_ENV": "production", "JWT_SECRET_KEY": jwt_secret, "RATELIMIT_ENABLED": "false",
                  "RATELIMIT_STORAGE_URI": "memory://", "REFRESH_TOKEN_TRANSPORT": "body",
                  "ACCESS_TOKEN_TTL": "3600", "LOG_LEVEL": ""}
    try:
        with ExitStack() as stack:
            for db in dbs:
                db.entries = args.entries
                log(f"{db.name}: migrating, starting 4 servers, seeding {args.entries} entries")
                migrate(db.url, ledger_env)
                db.servers["ledger"] = stack.enter_context(running(db.url, env=ledger_env, workers=1))
                if not args.skip_redis:
                    db.servers["ledger_redis"] = stack.enter_context(running(
                        db.url, env={**ledger_env, "AUTH_STATE_URL": args.redis_url}, workers=1))
                seed_user(db, db.servers["ledger"].base_url, args.entries)
                seed_token_row(db)
                for key, _, app, _ in TARGETS[:3]:
                    db.servers[key] = stack.enter_context(running(db.url, env=ledger_env, workers=1, app=app))
                check_targets(db, targets, args.redis_url)
            log("warm-up (1 s each, not counted)")
            warm = argparse.Namespace(**{**vars(args), "duration": 1})
            for db in dbs:
                for key, *_ in targets:
                    measure(db, key, warm, workdir)
            runs = [(db, key) for db in dbs for key, *_ in targets]
            for round_number in range(args.rounds):
                log(f"round {round_number + 1}/{args.rounds}")
                shift = round_number * 3 % len(runs)
                for db, key in runs[shift:] + runs[:shift]:
                    record(db, db.results, key, measure(db, key, args, workdir), key)
            if args.scaling:
                log(f"scaling: GET /api/v1/me with {args.scaling} workers")
                servers = {}
                for db in dbs:
                    for workers in args.scaling:
                        servers[db.name, workers] = (db.servers["ledger"] if workers == 1 else
                                                     stack.enter_context(running(db.url, env=ledger_env,
                                                                                 workers=workers)))
                runs = [(db, workers) for db in dbs for workers in args.scaling]
                for round_number in range(args.rounds):
                    log(f"scaling round {round_number + 1}/{args.rounds}")
                    shift = round_number % len(runs)
                    for db, workers in runs[shift:] + runs[:shift]:
                        result = run_wrk(servers[db.name, workers].base_url + "/api/v1/me", args, token=db.access)
                        record(db, db.scaling, workers, result, f"me w{workers}")
        output = report(dbs, args, command, started, loads)
        if args.profile_requests:
            for db in dbs:
                for redis_url in (None,) if args.skip_redis else (None, args.redis_url):
                    log(f"profiling {args.profile_requests} in-process GET /api/v1/me on {db.name}"
                        f"{' with AUTH_STATE_URL' if redis_url else ''}")
                    output += "\n\n" + profile_me(db.name, db.url, db.access, jwt_secret, args.profile_requests,
                                                   redis_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(output)
    if args.output:
        args.output.write_text(output + "\n")
    return 1 if any(db.problems for db in dbs) else 0


if __name__ == "__main__":
    sys.exit(main())
