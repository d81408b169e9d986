"""Where the gap between ledger's `GET /api/v1/me` and the stateless limit goes: CPU per request, in process.

Not a throughput benchmark (that is auth_overhead.py): this runs every variant through the Flask test client in
ONE process, in interleaved blocks, and reports this process's CPU time per request (time.process_time: it
barely moves with machine load; the database server's CPU is NOT in it, the driver's is). The test client's own
cost is the same in every row, so the DIFFERENCES between rows are what one part of the request costs:

* `stateless`: benchmarks/refapps/stateless.py GET /api/v1/me (flask-jwt-extended, no revocation);
* `healthz`: ledger GET /healthz (no token, no database: ledger's request hooks, log line and JSON);
* `me`: ledger GET /api/v1/me as in production (LOG_LEVEL=INFO: one JSON access-log line per request);
* `me, log WARNING`: the same without the access-log line;
* `me, cached autocommit engine`: `_auth_row` with the AUTOCOMMIT `Engine.execution_options(...)` built once
  instead of per request (a monkeypatch in this process only: what proposal 1 would save);
* `me, AUTH_STATE_URL`: the Redis copy (hits);
* `me, no access log + cached engine`: both proposals together.

    .venv/bin/python benchmarks/auth_breakdown.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ledger_breakdown_bench
    .venv/bin/python benchmarks/auth_breakdown.py        # a fresh SQLite file in a temporary folder

The database is migrated and gets one user (its name must contain "bench"; a PostgreSQL one is DROPPED and
re-created). --redis-url's db is FLUSHED.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EMAIL, PASSWORD = "bench-breakdown@example.com", "auth breakdown benchmark 2026"


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    assert "bench" in name and name.isidentifier(), name
    with psycopg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {name}")


PARTS = [  # (label, file suffix, function): cumulative time per request under cProfile
    ("the whole request in Flask (`Flask.wsgi_app`)", "flask/app.py", "wsgi_app"),
    ("`ledger.auth.check.authenticate` (all of the auth)", "ledger/auth/check.py", "authenticate"),
    ("├ `decode` (one PyJWT decode + claim checks)", "ledger/auth/decoding.py", "decode"),
    ("├ `_auth_row` (the statement)", "auth_breakdown.py", "cached_auth_row"),
    ("├ `_auth_row` (the statement)", "ledger/auth/check.py", "_auth_row"),
    ("│ ├ `Engine.connect` (pool checkout)", "sqlalchemy/engine/base.py", "connect"),
    ("│ ├ `Connection.execute` (Core: cache key, execute, result)", "sqlalchemy/engine/base.py", "execute"),
    ("│ ├ … of which the DBAPI `cursor.execute`", "sqlalchemy/engine/default.py", "do_execute"),
    ("│ └ `Connection.close` (pool return, reset)", "sqlalchemy/engine/base.py", "close"),
    ("├ `AuthState.lookup` (Redis)", "ledger/auth/state.py", "lookup"),
    ("the response body: marshmallow `Schema.dump`", "marshmallow/schema.py", "dump"),
    ("the response body: `json.dumps`", "json/__init__.py", "dumps"),
    ("`Flask.process_response` (after_request hooks: headers, access log)", "flask/app.py", "process_response"),
    ("`Flask.preprocess_request` (before_request hooks)", "flask/app.py", "preprocess_request"),
]


def profile(v: dict, count: int) -> str:
    import cProfile
    import pstats

    get, path, hdrs = v["client"].get, v["path"], v["headers"]
    profiler = cProfile.Profile(time.process_time)  # CPU time: the machine's load does not count
    profiler.enable()
    for _ in range(count):
        get(path, headers=hdrs)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    lines = ["", f"cProfile of {count:,} requests of \"{v['name']}\" (CPU ms per request, profiled: about 2× the "
                 "unprofiled time, use the shares):", "", "| part | ms/request | calls/request |", "|---|---:|---:|"]
    for label, suffix, name in PARTS:
        found = [(nc, ct) for (filename, _, fn), (_, nc, _, ct, _) in stats.items()
                 if filename.endswith(suffix) and fn == name]
        if found:
            calls = sum(nc for nc, _ in found)
            lines.append(f"| {label} | {sum(ct for _, ct in found) * 1000 / count:.3f} | {calls / count:g} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--requests", type=int, default=3000, help="per variant")
    parser.add_argument("--block", type=int, default=250)
    parser.add_argument("--profile", type=int, default=5,
                        help="then cProfile 2,000 requests of this variant (0-based; default 5: WARNING + cached "
                             "engine, i.e. what is left after both proposals); -1: none")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="ledger-breakdown-")
    url = args.database_url or f"sqlite:///{workdir}/ledger.db"
    if url.startswith("postgresql"):
        fresh_postgres(url)
    os.environ.update({"LEDGER_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48),
                       "JWT_SECRET_KEY": secrets.token_urlsafe(48), "RATELIMIT_ENABLED": "false",
                       "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "INFO", "ACCESS_TOKEN_TTL": "3600",
                       "REFRESH_TOKEN_TRANSPORT": "body", "AUTH_STATE_URL": ""})
    import redis
    from flask_migrate import upgrade

    import ledger.auth.check as check
    from benchmarks.refapps.stateless import app as stateless_app
    from ledger import create_app
    from ledger.extensions import db

    app = create_app("production")
    with app.app_context():
        upgrade()
    client = app.test_client()
    assert client.post("/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD}).status_code == 201
    token = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    os.environ["AUTH_STATE_URL"] = args.redis_url
    redis.Redis.from_url(args.redis_url).flushdb()
    redis_app = create_app("production")
    redis_client = redis_app.test_client()
    stateless = stateless_app.test_client()

    original = check._auth_row
    cached_engines: dict = {}

    def cached_auth_row(ident):  # _auth_row with the AUTOCOMMIT engine built once per app
        params = {"user_id": ident.user_id, "session_id": ident.session_id, "nonce": ident.session_nonce}
        engine = cached_engines.get(db.engine)
        if engine is None:
            engine = cached_engines[db.engine] = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            return connection.execute(check._AUTH_CHECK, params).first()

    ledger_logger = logging.getLogger("ledger")

    def variant(name, test_client, path, *, level=logging.INFO, patched=False, auth=True):
        return {"name": name, "client": test_client, "path": path, "level": level, "patched": patched,
                "headers": headers if auth else {}, "cpu": [], "wall": []}

    variants = [
        variant("stateless (refapp)", stateless, "/api/v1/me"),
        variant("ledger healthz", client, "/healthz", auth=False),
        variant("ledger me (production: INFO access log)", client, "/api/v1/me"),
        variant("ledger me, LOG_LEVEL=WARNING (no access-log line)", client, "/api/v1/me", level=logging.WARNING),
        variant("ledger me, cached AUTOCOMMIT engine", client, "/api/v1/me", patched=True),
        variant("ledger me, WARNING + cached engine", client, "/api/v1/me", level=logging.WARNING, patched=True),
        variant("ledger me, AUTH_STATE_URL (Redis hits)", redis_client, "/api/v1/me"),
        variant("ledger me, AUTH_STATE_URL + WARNING", redis_client, "/api/v1/me", level=logging.WARNING),
    ]
    sink = io.StringIO()
    with contextlib.redirect_stderr(sink):
        for handler in ledger_logger.handlers:
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - the JSON line is formatted and written
        for v in variants:  # warm-up
            check._auth_row = cached_auth_row if v["patched"] else original
            ledger_logger.setLevel(v["level"])
            for _ in range(100):
                response = v["client"].get(v["path"], headers=v["headers"])
                assert response.status_code == 200, (v["name"], response.status_code, response.get_data()[:200])
        for _ in range(args.requests // args.block):
            for v in variants:
                check._auth_row = cached_auth_row if v["patched"] else original
                ledger_logger.setLevel(v["level"])
                get, path, hdrs = v["client"].get, v["path"], v["headers"]
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(args.block):
                    get(path, headers=hdrs)
                v["cpu"].append((time.process_time() - cpu) / args.block)
                v["wall"].append((time.perf_counter() - wall) / args.block)
        profile_text = ""
        if args.profile >= 0:
            v = variants[args.profile]
            check._auth_row = cached_auth_row if v["patched"] else original
            ledger_logger.setLevel(v["level"])
            profile_text = profile(v, 2000)
    check._auth_row = original
    base = statistics.median(variants[0]["cpu"])
    me = statistics.median(variants[2]["cpu"])
    print(f"### In-process CPU per request, {url.split(':')[0]} ({args.requests:,} requests per variant in blocks of "
          f"{args.block}, interleaved; load average {os.getloadavg()[0]:.2f} at the end)\n")
    print("| variant | CPU µs/request (median of blocks) | wall µs | vs stateless | vs ledger me |")
    print("|---|---:|---:|---:|---:|")
    for v in variants:
        cpu = statistics.median(v["cpu"])
        print(f"| {v['name']} | {cpu * 1e6:,.0f} | {statistics.median(v['wall']) * 1e6:,.0f} | "
              f"{(cpu - base) * 1e6:+,.0f} µs | {(cpu - me) * 1e6:+,.0f} µs |")
    print(profile_text)
    with app.app_context():
        db.engine.dispose()
    with redis_app.app_context():
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
