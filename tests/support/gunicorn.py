"""One way to run a real `gunicorn wsgi:app` for tests, benchmarks and the fuzzer.

    from tests.support.gunicorn import running

    with running("postgresql+psycopg://postgres@127.0.0.1:5432/ledger_x", workers=2) as server:
        requests.get(server.base_url + "/api/v1/me", headers=..., timeout=10)

The API (kept small and stable; other harnesses build on it):

* ``server_env(database_url, env=None) -> dict`` -- the complete environment of a server: the
  production config with fresh random ``SECRET_KEY``/``JWT_SECRET_KEY``, ``REFRESH_TOKEN_TRANSPORT=body``,
  ``RATELIMIT_ENABLED=false``, ``LOG_LEVEL=WARNING``; every other variable that ``config.py`` reads is
  set to "" (= its default), so neither the caller's environment nor a stray ``.env`` file can leak in.
  ``env`` overrides any of it (``{"RATELIMIT_ENABLED": "true", "REFRESH_TOKEN_TRANSPORT": "cookie"}``).
  Nothing else is inherited from ``os.environ`` except ``PATH``.
* ``migrate(database_url, env=None)`` -- ``flask db upgrade`` with that environment.
* ``start(database_url, *, env=None, workers=1, host="127.0.0.1", port=None, log=None,
  access_log=None, access_log_format=None, timeout=30, app="wsgi:app") -> Server`` -- gunicorn with
  ``gunicorn.conf.py`` serving ``app`` (another WSGI app, e.g. a benchmark's reference app, must answer
  ``GET /healthz`` too) on ``host:port`` (a free port of ``host`` by default; any 127.0.0.0/8 address
  works, e.g. ``127.0.0.2``), in its own process group. It is ready when ``GET /healthz`` answers 200
  and all ``workers`` are forked, polled for at most ``timeout`` seconds; otherwise it is stopped and
  ``GunicornError`` (with the log's tail) is raised. stdout and stderr go to ``log`` (a temporary
  file, removed by ``stop()``, when not given). ``access_log`` (+ ``access_log_format``, gunicorn's
  ``%(...)s`` syntax) turns gunicorn's access log on.
* ``running(...)`` -- the same arguments; a context manager that stops the server on exit.
* ``Server`` -- ``base_url``, ``host``, ``port``, ``env`` (the full environment, secrets included),
  ``process``, ``log``, ``access_log``; ``worker_pids()``, ``log_tail(lines)``, and ``stop(timeout=15)``:
  SIGTERM to the process group, SIGKILL after ``timeout`` s, then any process left in the group is
  killed; returns the pids that had to be killed that way (``[]`` for a clean stop). Idempotent.
* ``free_port(host="127.0.0.1") -> int`` -- a port nobody listens on right now.

The database is not created or migrated by ``start``; call ``migrate`` first when needed.
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

import requests

__all__ = ["GunicornError", "Server", "free_port", "migrate", "running", "server_env", "start"]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


class GunicornError(RuntimeError):
    """gunicorn exited or did not become ready in time (the message ends with its log)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port of `host` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _config_variables() -> list[str]:
    """Every variable config.py reads through its _env/_int/_bool/_list helpers."""
    source = (ROOT / "config.py").read_text()
    return sorted(set(re.findall(r'\b_(?:env|int|bool|list)\(\s*"([A-Z][A-Z0-9_]*)"', source)))


def server_env(database_url: str, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a server: production, fresh secrets, the rest blank (= default)."""
    settings = {name: "" for name in _config_variables()}
    settings.update({
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "FLASK_APP": "wsgi",
        "LEDGER_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "REFRESH_TOKEN_TRANSPORT": "body",
        # Clients of these servers send many requests from one address; the limits have their own tests.
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    })
    settings.update(env or {})
    return settings


def migrate(database_url: str, env: Mapping[str, str] | None = None) -> None:
    """`flask db upgrade` on `database_url` (raises CalledProcessError with its output on failure)."""
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=server_env(database_url, env),
                   check=True, capture_output=True)


def _processes() -> list[tuple[int, int, int]]:
    """(pid, parent pid, process group) of every process, from /proc."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            stat = Path(entry.path, "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            found.append((int(entry.name), int(fields[1]), int(fields[2])))
    return found


class Server:
    """One running gunicorn (see the module docstring)."""

    def __init__(self, process: subprocess.Popen, host: str, port: int, env: dict[str, str], workers: int,
                 log: Path, access_log: Path | None, own_log: bool) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.base_url = f"http://{host}:{port}"
        self.env = env
        self.workers = workers
        self.log = log
        self.access_log = access_log
        self._own_log = own_log

    @property
    def master_pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> set[int]:
        return {pid for pid, parent, _ in _processes() if parent == self.process.pid}

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = STOP_TIMEOUT) -> list[int]:
        """SIGTERM the group, SIGKILL after `timeout` s; returns the pids killed because they lingered."""
        group = self.process.pid
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
                self.process.wait(5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self._group_members(group):
            time.sleep(0.05)
        leftovers = sorted(self._group_members(group))
        if leftovers:
            with suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        if self._own_log:
            with suppress(OSError):
                self.log.unlink()
        return leftovers

    @staticmethod
    def _group_members(group: int) -> set[int]:
        return {pid for pid, _, pgrp in _processes() if pgrp == group}

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise GunicornError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                healthy = requests.get(self.base_url + "/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                healthy = False
            if healthy and len(self.worker_pids()) >= self.workers:
                return
            if time.monotonic() > deadline:
                tail = self.log_tail()
                self.stop()
                raise GunicornError(f"gunicorn not ready after {timeout:g} s:\n{tail}")
            time.sleep(0.1)


def start(database_url: str, *, env: Mapping[str, str] | None = None, workers: int = 1,
          host: str = "127.0.0.1", port: int | None = None, log: Path | str | None = None,
          access_log: Path | str | None = None, access_log_format: str | None = None,
          timeout: float = START_TIMEOUT, app: str = "wsgi:app") -> Server:
    """A ready `gunicorn wsgi:app` (see the module docstring); the caller must `stop()` it."""
    settings = server_env(database_url, env)
    port = port or free_port(host)
    own_log = log is None
    if own_log:
        handle, name = tempfile.mkstemp(prefix="gunicorn-", suffix=".log")
        os.close(handle)
        log = name
    log = Path(log)
    command = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--workers", str(workers),
               "--bind", f"{host}:{port}"]
    if access_log is not None:
        access_log = Path(access_log)
        access_log.touch()
        command += ["--access-logfile", str(access_log)]
        if access_log_format is not None:
            command += ["--access-logformat", access_log_format]
    command.append(app)
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=settings, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(process, host, port, settings, workers, log, access_log, own_log)
    try:
        server._wait_until_ready(timeout)
    except BaseException:
        server.stop()
        raise
    return server


@contextmanager
def running(database_url: str, **kwargs) -> Iterator[Server]:
    """`start(database_url, **kwargs)`, stopped on exit."""
    server = start(database_url, **kwargs)
    try:
        yield server
    finally:
        server.stop()
