"""Shared ledgers: the auth check with the membership, the code before them and the code now side by side in ONE run.

    .venv/bin/python benchmarks/ledger_ab.py            # the full run (about 6 minutes)
    .venv/bin/python benchmarks/ledger_ab.py --quick    # a smoke run (about 2 minutes)

Issue 14 asks that `GET /api/v1/me` and a ledger-scoped `GET /entries?limit=50` stay within 5 % of the req/s
of the commit before shared ledgers (--old, default 61a47fd). That commit has no `/ledgers` paths, so its
`GET /api/v1/entries?limit=50` is the reference for both the new scoped path and the new unscoped one (which
acts on the default ledger).

How (the machinery of benchmarks/auth_overhead.py): the old commit is checked out into a temporary
`git worktree` outside the repository (removed afterwards) and run with this repository's .venv (the same
requirements); each of the old and the new code gets its own gunicorn, 1 sync worker, production config,
started through that tree's own tests/support/gunicorn.py, on its own fresh database: PostgreSQL --pg-old-url
and --pg-new-url (DROPPED AND RE-CREATED, so their names must contain "bench") and a SQLite file each in a
temporary folder. Each database is migrated by its own code and gets the same data through the API: one user
with --entries entries. Measured with `wrk -t1 -c4 -d4s`, --rounds rounds; in each round every target of both
databases runs once, old and new of one path back to back (which goes first alternates by round) so that a
new/old ratio compares runs seconds apart; the table gives the median req/s of the rounds and the median of the
per-round ratios:

* `GET /api/v1/me`: new / old;
* `GET /api/v1/entries?limit=50`: new (the default ledger) / old;
* `GET /api/v1/ledgers/{id}/entries?limit=50` (new only) / old `GET /api/v1/entries?limit=50`.

Then, for each code and database, a child process (the old one imports the old tree) runs each path
--count-requests times through the Flask test client on the run's database and counts the SQL statements per
request with SQLAlchemy's `before_cursor_execute`, with the child's CPU per request (--count-rounds rounds,
old and new alternating; the ratio is the median of the per-round ratios), and prints the plan
of the request's first statement (the auth check) exactly as the app sent it, same parameters: on PostgreSQL
`EXPLAIN (ANALYZE, BUFFERS)`, on SQLite `EXPLAIN QUERY PLAN`.

Markdown report on stdout, progress on stderr; --output FILE writes the report there too. Exit status 1 when a
response was not 2xx or a ratio of the issue's two paths is below 0.95.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import importlib.util
import json
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

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository root, for tests.support and benchmarks
    sys.path.insert(0, str(ROOT))
from benchmarks.auth_overhead import Database as Seeded  # noqa: E402
from benchmarks.auth_overhead import fmt, fresh_postgres, log, ratio, run_wrk, seed_user  # noqa: E402

TIMEOUT = 15
GOAL = 0.95  # "within 5 %"
ME, ENTRIES = "/api/v1/me", "/api/v1/entries?limit=50"
# key, code, path ({ledger} is the new user's default ledger), label
TARGETS = [
    ("me_old", "old", ME, "`GET /api/v1/me`"),
    ("me_new", "new", ME, "`GET /api/v1/me`"),
    ("entries_old", "old", ENTRIES, "`GET /api/v1/entries?limit=50`"),
    ("entries_new", "new", ENTRIES, "`GET /api/v1/entries?limit=50` (the default ledger)"),
    ("scoped_new", "new", "/api/v1/ledgers/{ledger}/entries?limit=50", "`GET /api/v1/ledgers/{id}/entries?limit=50`"),
]
GROUPS = [("me_old", "me_new"), ("entries_old", "entries_new", "scoped_new")]  # measured back to back
RATIOS = [  # key, new, old, is one of the two claims
    ("`GET /me` new / old", "me_new", "me_old", True),
    ("`GET /ledgers/{id}/entries?limit=50` new / old `GET /entries?limit=50`", "scoped_new", "entries_old", True),
    ("`GET /entries?limit=50` (default ledger) new / old", "entries_new", "entries_old", False),
]


@dataclass
class Code:
    name: str  # "old" / "new"
    commit: str
    root: Path
    gunicorn: object  # that tree's tests.support.gunicorn module


@dataclass
class Target:
    db: str  # "PostgreSQL" / "SQLite"
    code: Code
    url: str
    server: object = None
    seeded: Seeded = None
    ledger_id: int | None = None
    counts: list[dict] = field(default_factory=list)  # per counting round: path → the child's report


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def load_gunicorn_support(root: Path, name: str):
    """`root`'s own tests/support/gunicorn.py: its servers and migrations run from `root` (its ROOT)."""
    spec = importlib.util.spec_from_file_location(name, root / "tests" / "support" / "gunicorn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def old_tree(ref: str, directory: Path) -> Path:
    git("worktree", "add", "--detach", str(directory), ref)
    return directory


def remove_tree(directory: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(directory)], cwd=ROOT, capture_output=True)
    git("worktree", "prune")


def path_of(target: Target, key: str) -> str:
    return next(t[2] for t in TARGETS if t[0] == key).format(ledger=target.ledger_id)


def check(targets: dict, entries: int) -> None:
    """Before anything is measured: each code is the one it claims to be, every path answers 200 with the
    user's token, and old and new list the same 50 entries (a 401 or a 404 would look fast)."""
    old, new = targets["old"], targets["new"]
    for target in (old, new):
        ledgers = requests.get(target.server.base_url + "/api/v1/ledgers", timeout=TIMEOUT,
                               headers={"Authorization": f"Bearer {target.seeded.access}"})
        assert ledgers.status_code == (404 if target.code.name == "old" else 200), (target.code.name, ledgers.text)
    pages = {}
    for key, code, _, _ in TARGETS:
        target = targets[code]
        response = requests.get(target.server.base_url + path_of(target, key), timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {target.seeded.access}"})
        assert response.status_code == 200, (target.db, key, response.status_code, response.text)
        body = response.json()
        if key.startswith("me"):
            assert body["id"] == target.seeded.user_id, body
            assert ("default_ledger_id" in body) == (code == "new"), body
        else:
            assert len(body["items"]) == min(50, entries), response.text
            pages[key] = [(e["id"], e["type"], e["amount"], e["occurred_on"], e["memo"], sorted(e["tags"] or []))
                          for e in body["items"]]
    assert pages["entries_old"] == pages["entries_new"] == pages["scoped_new"], "old and new list different pages"


# -- statements per request: a child process per code (its own `ledger` package) ---------------------------------

def count_in_child(root: Path, url: str, token: str, jwt_secret: str, paths: list[str], requests_count: int,
                   profile_count: int) -> None:
    """In the child: `root`'s app on `url`, each path through the test client (and cProfile of `profile_count`
    more when not 0); prints one JSON line."""
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ.update({"LEDGER_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48),
                       "JWT_SECRET_KEY": jwt_secret, "RATELIMIT_ENABLED": "false",
                       "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "WARNING", "AUTH_STATE_URL": ""})
    from sqlalchemy import event

    from ledger import create_app
    from ledger.extensions import db

    assert Path(sys.modules["ledger"].__file__).is_relative_to(root), sys.modules["ledger"].__file__
    app = create_app("production")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    statements: list[tuple[str, object]] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, sql, params, context, many:
                 statements.append((sql, params)))
    result = {}
    for path in paths:
        for _ in range(30):  # warm-up: imports, pools, caches
            assert client.get(path, headers=headers).status_code == 200
        statements.clear()
        cpu = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(requests_count // 5):
                client.get(path, headers=headers)
            cpu.append((time.process_time() - started) * 1000 / (requests_count // 5))
        per_request = len(statements) / (requests_count // 5 * 5)
        statements.clear()
        assert client.get(path, headers=headers).status_code == 200
        one = list(statements)
        sql, params = one[0]
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(explain + sql, params)
            plan = ["  ".join(str(v) for v in row) for row in cursor.fetchall()]
        finally:
            raw.close()
        result[path] = {"per_request": per_request, "cpu_ms": statistics.median(cpu),
                        "statements": [describe(s) for s, _ in one], "auth_sql": sql,
                        "auth_params": {k: str(v) for k, v in params.items()} if isinstance(params, dict)
                        else [str(v) for v in params], "plan": plan}
        if profile_count:
            request = functools.partial(client.get, path, headers=headers)
            result[path]["calls"], result[path]["profile"] = profile(request, profile_count, root)
    print(json.dumps(result))


def profile(request, count: int, root: Path) -> tuple[float, str]:
    """cProfile of `count` calls of `request`: Python function calls per request (what the machine's load cannot
    change), and the top functions by own time, then the code's own by cumulative time (ms per request)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        request()
    profiler.disable()
    lines = []
    for order, limit, restrict in (("tottime", 25, ()), ("cumulative", 30, (str(root / "ledger"),))):
        stats = pstats.Stats(profiler)
        rows = [(key, value) for key, value in stats.stats.items() if all(r in key[0] for r in restrict)]
        rows.sort(key=lambda item: item[1][2 if order == "tottime" else 3], reverse=True)
        lines += [f"top {limit} by {order}" + (" (the app's own functions)" if restrict else "")
                  + " — calls/request, tottime ms/request, cumtime ms/request:"]
        for (filename, line, name), (_, calls, tottime, cumtime, _) in rows[:limit]:
            where = filename.replace(str(root) + "/", "").split("site-packages/")[-1]
            lines.append(f"  {calls / count:7.2f} {tottime * 1000 / count:8.4f} {cumtime * 1000 / count:8.4f}  "
                         f"{where}:{line}({name})")
    return pstats.Stats(profiler).total_calls / count, "\n".join(lines)


def describe(sql: str) -> str:
    """`SELECT FROM users JOIN sessions LEFT OUTER JOIN ledger_members ...`: what a statement reads."""
    words = re.findall(r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|FROM|(?:LEFT OUTER )?JOIN)\s+([a-z_]+)", sql)
    verb = sql.split(None, 1)[0]
    return verb + " " + " ".join(f"{w.split()[0] if w != 'LEFT OUTER JOIN' else 'LEFT JOIN'} {t}"
                                 for w, t in words if w != "SELECT")


def count_statements(target: Target, jwt_secret: str, requests_count: int, profile_count: int) -> None:
    paths = sorted({path_of(target, key) for key, code, _, _ in TARGETS if code == target.code.name})
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(target.code.root), target.url,
               target.seeded.access, jwt_secret, str(requests_count), str(profile_count), *paths]
    out = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=target.code.root,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if out.returncode:
        raise SystemExit(f"statement count of {target.code.name} on {target.db} failed:\n{out.stderr[-3000:]}")
    target.counts.append(json.loads(out.stdout.strip().splitlines()[-1]))


# -- report ---------------------------------------------------------------------------------------------------------

def report(args, command: str, dbs: dict, results: dict, started: float, loads: tuple, codes: dict,
           problems: list[str]) -> tuple[str, bool]:
    lines = [f"Command: `{command}`", "",
             f"old = {codes['old'].commit}, new = {codes['new'].commit}; each: gunicorn, 1 sync worker, its own fresh "
             f"database with one user and {args.entries:,} entries; `wrk -t{args.threads} -c{args.connections} "
             f"-d{args.duration}s`; req/s: median of {args.rounds} round(s), old and new of a path back to back; "
             f"ratio: median of the per-round ratios; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average "
             f"{loads[0]:.2f} before, {os.getloadavg()[0]:.2f} after; {time.monotonic() - started:.0f} s.", ""]
    names = list(dbs)
    lines += ["| target |" + "".join(f" {n} old req/s | {n} new req/s |" for n in names),
              "|---|" + "---:|---:|" * len(names)]
    for key, old_key in (("me_new", "me_old"), ("entries_new", "entries_old"), ("scoped_new", "entries_old")):
        label = next(t[3] for t in TARGETS if t[0] == key)
        row = f"| {label} |"
        for name in names:
            row += f" {fmt(statistics.median(results[name][old_key]))} | {fmt(statistics.median(results[name][key]))} |"
        lines.append(row)
    lines += ["", f"| ratio (goal ≥ {GOAL:.2f} for the issue's two) |" + "".join(f" {n} |" for n in names),
              "|---|" + "---:|" * len(names)]
    met = True
    for label, new, old, claim in RATIOS:
        row = f"| {label} |"
        for name in names:
            value = ratio(results[name][new], results[name][old])
            verdict = "" if not claim else (": met" if value >= GOAL else ": **missed**")
            met = met and (not claim or value >= GOAL)
            per_round = ", ".join(f"{n / o:.2f}" for n, o in zip(results[name][new], results[name][old], strict=True))
            row += f" {value:.3f}{verdict} ({per_round}) |"
        lines.append(row)
    lines += ["", "Every round (req/s):", ""]
    for name in names:
        for key, *_ in TARGETS:
            lines.append(f"* {name} {key}: " + ", ".join(fmt(v) for v in results[name][key]))
    lines += ["", f"SQL statements per request (in-process, Flask test client, {args.count_requests} requests per "
                  f"path, code and round; CPU: the child's own time per request, app + test client + SQLite, the "
                  f"median of its 5 blocks, then the median of {args.count_rounds} round(s), old and new alternating):",
              "", "| database | code | path | statements | CPU ms | what they read |", "|---|---|---|---:|---:|---|"]
    for name in names:
        for code in ("old", "new"):
            target = dbs[name][code]
            for path, count in target.counts[0].items():
                cpu = statistics.median(run[path]["cpu_ms"] for run in target.counts)
                statements = {run[path]["per_request"] for run in target.counts}
                lines.append(f"| {name} | {code} | `{path}` | {', '.join(f'{s:g}' for s in sorted(statements))} | "
                             f"{cpu:.2f} | " + "; ".join(f"`{s}`" for s in count["statements"]) + " |")
    lines += ["", "In-process CPU per request, new / old (the median of the per-round ratios; ≤ 1.05 is within 5 %; "
                  "less sensitive to the machine's load than req/s):", "",
              "| ratio |" + "".join(f" {n} |" for n in names), "|---|" + "---:|" * len(names)]
    for label, new, old, _ in RATIOS:
        row = f"| {label} |"
        for name in names:
            new_path, old_path = path_of(dbs[name]["new"], new), path_of(dbs[name]["old"], old)
            per_round = [n[new_path]["cpu_ms"] / o[old_path]["cpu_ms"]
                         for n, o in zip(dbs[name]["new"].counts, dbs[name]["old"].counts, strict=True)]
            row += f" {statistics.median(per_round):.3f} ({', '.join(f'{r:.2f}' for r in per_round)}) |"
        lines.append(row)
    for name in names:
        for code in ("old", "new"):
            target = dbs[name][code]
            path = path_of(target, "scoped_new" if code == "new" else "entries_old")
            count = target.counts[0][path]
            lines += ["", f"The auth statement of {code} `{path}` on {name}, parameters {count['auth_params']}:", "",
                      "```sql", count["auth_sql"].strip(), "```", "", "```", *count["plan"], "```"]
    if args.profile:
        lines += ["", "Python function calls per request (cProfile's count: the same whatever the load), new / old:",
                  "",
                  "| ratio |" + "".join(f" {n} |" for n in names), "|---|" + "---:|" * len(names)]
        for label, new, old, _ in RATIOS:
            row = f"| {label} |"
            for name in names:
                new_calls = dbs[name]["new"].counts[0][path_of(dbs[name]["new"], new)]["calls"]
                old_calls = dbs[name]["old"].counts[0][path_of(dbs[name]["old"], old)]["calls"]
                row += f" {new_calls:,.0f} / {old_calls:,.0f} = {new_calls / old_calls:.3f} |"
            lines.append(row)
    for name in names:
        for code in ("old", "new"):
            for path, count in dbs[name][code].counts[0].items():
                if "profile" in count:
                    lines += ["", f"cProfile, {args.profile:,} in-process requests: {code} `{path}` on {name}", "",
                              "```", count["profile"], "```"]
    lines += ["", "Problems: " + ("; ".join(problems) if problems else "none (every response 2xx)")]
    return "\n".join(lines), met


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        root, url, token, secret, count, profile_count, *paths = sys.argv[2:]
        count_in_child(Path(root), url, token, secret, paths, int(count), int(profile_count))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round of 1 s, 60 entries, 2 × 100 counted")
    parser.add_argument("--old", default="61a47fd", help="the commit before shared ledgers")
    parser.add_argument("--pg-old-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/ledger_ab_bench_old")
    parser.add_argument("--pg-new-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/ledger_ab_bench_new")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--force", action="store_true", help="drop a database whose name lacks 'bench'")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--entries", type=int, default=1000, help="entries of the benchmark user")
    parser.add_argument("--count-requests", type=int, default=500, help="in-process requests per path and code")
    parser.add_argument("--count-rounds", type=int, default=4, help="in-process rounds, old and new alternating")
    parser.add_argument("--profile", type=int, default=0,
                        help="cProfile this many in-process requests per path and code (first round; 0: none)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.duration, args.entries, args.count_requests, args.count_rounds = 1, 1, 60, 100, 2
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    command = "python benchmarks/ledger_ab.py " + " ".join(sys.argv[1:])
    started, loads = time.monotonic(), os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="ledger-ab-bench-"))
    jwt_secret = secrets.token_urlsafe(48)
    ledger_env = {"LEDGER_ENV": "production", "JWT_SECRET_KEY": jwt_secret, "RATELIMIT_ENABLED": "false",
                  "RATELIMIT_STORAGE_URI": "memory://", "REFRESH_TOKEN_TRANSPORT": "body",
                  "ACCESS_TOKEN_TTL": "3600", "LOG_LEVEL": ""}
    problems: list[str] = []
    tree = None
    try:
        tree = old_tree(args.old, workdir / "old")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", "ledger", "config.py", "wsgi.py",
                    "migrations", "gunicorn.conf.py")
        from tests.support import gunicorn as new_gunicorn
        codes = {"old": Code("old", git("rev-parse", "--short", args.old), tree,
                             load_gunicorn_support(tree, "ledger_ab_old_gunicorn")),
                 "new": Code("new", git("rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else ""),
                             ROOT, new_gunicorn)}
        urls = {} if args.skip_postgres else {"PostgreSQL": {"old": args.pg_old_url, "new": args.pg_new_url}}
        urls["SQLite"] = {code: f"sqlite:///{workdir / f'{code}.db'}" for code in codes}
        dbs: dict[str, dict[str, Target]] = {}
        with ExitStack() as stack:
            for name, by_code in urls.items():
                dbs[name] = {}
                for code_name, url in by_code.items():
                    code = codes[code_name]
                    if name == "PostgreSQL":
                        fresh_postgres(url, args.force)
                    target = Target(name, code, url)
                    log(f"{name} {code_name} ({code.commit}): migrating, starting, seeding {args.entries} entries")
                    code.gunicorn.migrate(url, ledger_env)
                    target.server = stack.enter_context(code.gunicorn.running(url, env=ledger_env, workers=1))
                    target.seeded = Seeded(name, url)
                    seed_user(target.seeded, target.server.base_url, args.entries)
                    if code_name == "new":
                        target.ledger_id = requests.get(
                            target.server.base_url + ME, timeout=TIMEOUT,
                            headers={"Authorization": f"Bearer {target.seeded.access}"}).json()["default_ledger_id"]
                    dbs[name][code_name] = target
                check(dbs[name], args.entries)
            results = {name: {key: [] for key, *_ in TARGETS} for name in dbs}

            def measure(name: str, key: str, wrk_args) -> None:
                target = dbs[name][next(t[1] for t in TARGETS if t[0] == key)]
                result = run_wrk(target.server.base_url + path_of(target, key), wrk_args, token=target.seeded.access)
                if wrk_args is args:
                    results[name][key].append(result.rps)
                    if result.non_2xx:
                        problems.append(f"{name} {key}: {result.non_2xx} non-2xx responses in one round")
                log(f"  {name:<10} {key:<12} {result.rps:8.1f} req/s  p50 {result.p50_ms or 0:6.2f} ms"
                    f"  socket errors: {result.socket_errors or 'none'}"
                    + (f"  NON-2xx {result.non_2xx}" if result.non_2xx else ""))

            log("warm-up (1 s each, not counted)")
            warm = argparse.Namespace(**{**vars(args), "duration": 1})
            for name in dbs:
                for key, *_ in TARGETS:
                    measure(name, key, warm)
            runs = [(name, group) for name in dbs for group in GROUPS]
            for round_number in range(args.rounds):
                log(f"round {round_number + 1}/{args.rounds} (load average {os.getloadavg()[0]:.2f})")
                shift = round_number % len(runs)
                for name, group in runs[shift:] + runs[:shift]:
                    # old first in even rounds, new first in odd ones: neither always runs on a warmer machine
                    for key in (group if round_number % 2 == 0 else group[::-1]):
                        measure(name, key, args)
        for name in dbs:
            for round_number in range(args.count_rounds):
                for code_name in ("old", "new") if round_number % 2 == 0 else ("new", "old"):
                    log(f"counting statements: {code_name} on {name}, round {round_number + 1}/{args.count_rounds}")
                    count_statements(dbs[name][code_name], jwt_secret, args.count_requests,
                                     args.profile if round_number == 0 else 0)
        output, met = report(args, command, dbs, results, started, loads, codes, problems)
    finally:
        if tree is not None:
            remove_tree(tree)
        shutil.rmtree(workdir, ignore_errors=True)
    print(output)
    if args.output:
        args.output.write_text(output + "\n")
    return 1 if problems or not met else 0


if __name__ == "__main__":
    sys.exit(main())
