"""The production topology of deploy/, for real: nginx with TLS in front of two gunicorn app servers, PostgreSQL, Redis.

* nginx runs deploy/nginx/ledger.conf itself, rendered into tmp (its ports, paths and a self-signed certificate
  made here with `openssl req -x509`), as a non-daemon process of the test.
* The app servers run as deploy/systemd/ledger@.service runs them: `gunicorn --config deploy/gunicorn.conf.py`,
  their settings in an env file (LEDGER_ENV_FILE) that they read at start and on every HUP, the SPA published
  by deploy/publish-web.sh into the directory nginx serves /assets/ from (WEB_DIST).
* PostgreSQL: databases of their own on TEST_DATABASE_URL's server (`ledger_topo`, `ledger_topo_restore`),
  created and dropped here; never the suite's `test` database. Redis: a redis-server of their own.
* Clients bind loopback source addresses (127.0.0.2, 127.0.0.3, ...) so nginx sees different clients.

Needs TEST_DATABASE_URL (PostgreSQL), nginx, openssl, redis-server and pg_dump/pg_restore; the browser check also
Chromium and web/dist. When one is missing the tests skip with the reason, except in CI (env CI set), where they
fail. Everything is bounded: every request has a timeout, every wait a deadline.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.conftest import PASSWORD, PG_URL
from tests.support import gunicorn as launcher
from tests.support.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DIST = Path(os.environ["WEB_DIST"]).resolve() if os.environ.get("WEB_DIST") else ROOT / "web" / "dist"
BIN = Path(sys.executable).parent
IN_CI = bool(os.environ.get("CI"))
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
WORKERS = 2  # per app server
HTTP_TIMEOUT = 10
START_TIMEOUT = 60  # an app server: the import check, then every worker imports the app (2 shared cores)
DATABASE = "ledger_topo"
RESTORE_DATABASE = "ledger_topo_restore"


def unavailable(reason: str) -> None:
    """Skip on a developer's machine, fail in CI."""
    if IN_CI:
        pytest.fail(f"topology tests: {reason} (CI is set)", pytrace=False)
    pytest.skip(f"topology tests: {reason}")


def _missing() -> str | None:
    if not PG_URL:
        return "needs TEST_DATABASE_URL (PostgreSQL)"
    if NGINX is None:
        return "nginx is not installed (`apt-get install nginx-light`)"
    for tool in ("openssl", "redis-server", "pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


# --- PostgreSQL --------------------------------------------------------------------------------------------------


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(PG_URL)._replace(path="/" + name))


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq (psql, pg_dump) takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def recreate_database(name: str) -> str:
    import psycopg

    with psycopg.connect(libpq_url(database_url("postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(libpq_url(database_url("postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- HTTP clients from loopback addresses of their own ----------------------------------------------------------


class SourceAddressAdapter(HTTPAdapter):
    """Connections from `source` (any 127.0.0.0/8 address is this machine)."""

    def __init__(self, source: str, **kwargs) -> None:
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        return super().init_poolmanager(*args, **kwargs)


def client(source: str, ca: Path) -> requests.Session:
    """A requests session whose connections come from `source` and that trusts the test's certificate."""
    session = requests.Session()
    adapter = SourceAddressAdapter(source, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.verify = str(ca)
    session.trust_env = False  # neither REQUESTS_CA_BUNDLE (it would replace `verify`) nor a proxy from the environment
    return session


# --- the app servers -----------------------------------------------------------------------------------------------


class AppServer:
    """`gunicorn --config deploy/gunicorn.conf.py` as ledger@PORT.service runs it; settings from `env_file`."""

    def __init__(self, name: str, port: int, env_file: Path, logs: Path) -> None:
        self.name, self.port, self.env_file = name, port, env_file
        self.base_url = f"http://127.0.0.1:{port}"
        self.logs = logs
        self.server: launcher.Server | None = None
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.logs / f"{self.name}.log"

    def start(self) -> None:
        # Nothing from the caller's environment or a .env file: every setting of config.py blank (= its default)
        # unless the env file sets it (gunicorn's raw_env, applied in the master before it forks).
        env = {name: "" for name in launcher.server_env("")}
        env.update({"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                    "LEDGER_ENV_FILE": str(self.env_file), "PYTHONUNBUFFERED": "1"})
        command = [str(BIN / "gunicorn"), "--config", str(DEPLOY / "gunicorn.conf.py"),
                   "--bind", f"127.0.0.1:{self.port}", "wsgi:app"]
        self.starts += 1
        with open(self.log, "ab") as out:
            out.write(f"--- start {self.starts}\n".encode())
            out.flush()
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        self.server = launcher.Server(process, "127.0.0.1", self.port, env, WORKERS, self.log, None, False)
        self.wait_ready(set())

    def wait_ready(self, old_workers: set[int], timeout: float = START_TIMEOUT) -> None:
        """Until /healthz answers, WORKERS workers run and none of `old_workers` is left; else a failure."""
        assert self.server is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.server.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.server.process.returncode}:\n{self.log_tail()}")
            workers = self.server.worker_pids()
            ready = len(workers) >= WORKERS and not (workers & old_workers)
            if ready:
                with suppress(requests.RequestException):
                    ready = requests.get(self.base_url + "/healthz", timeout=1).status_code == 200
            if ready:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name} not ready after {timeout:g} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def reload(self) -> float:
        """kill -HUP (what `systemctl reload` does after its check): new workers, new code and settings; the
        old workers finish their requests. Returns the seconds until only new workers serve."""
        assert self.server is not None
        started = time.monotonic()
        old = self.server.worker_pids()
        os.kill(self.server.master_pid, signal.SIGHUP)
        self.wait_ready(old)
        return time.monotonic() - started

    def stop(self) -> None:
        if self.server is not None:
            leftovers = self.server.stop(20)
            self.server = None
            assert not leftovers, f"{self.name} left processes behind: {leftovers}"

    def restart(self) -> float:
        """A full restart on the same port (systemctl restart): stop gracefully, start again."""
        started = time.monotonic()
        self.stop()
        self.start()
        return time.monotonic() - started

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def write_env_file(path: Path, settings: dict[str, str]) -> None:
    """KEY=value lines, the format of deploy/ledger.env.example; written whole, then renamed into place."""
    lines = [f'{key}="{value}"' if any(c in value for c in " ;#") else f"{key}={value}"
             for key, value in settings.items()]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n")
    temporary.replace(path)


# --- nginx -----------------------------------------------------------------------------------------------------


def render_site(https_port: int, http_port: int, upstreams: list[int], tls: Path, static: Path, logs: Path) -> str:
    """deploy/nginx/ledger.conf with this machine's ports and paths; every replaced text must be there."""
    site = (DEPLOY / "nginx" / "ledger.conf").read_text()
    replacements = [
        ("    listen [::]:80;\n", "", 1),
        ("    listen [::]:443 ssl http2;\n", "", 1),
        ("listen 80;", f"listen 127.0.0.1:{http_port};", 1),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", 1),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{upstreams[0]} ", 1),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{upstreams[1]} ", 1),
        ("/etc/letsencrypt/live/ledger.example.com/fullchain.pem", str(tls / "cert.pem"), 1),
        ("/etc/letsencrypt/live/ledger.example.com/privkey.pem", str(tls / "key.pem"), 1),
        ("/var/log/nginx/ledger.access.log", str(logs / "nginx-access.log"), 1),
        ("/var/log/nginx/ledger.error.log", str(logs / "nginx-error.log"), 1),
        ("root /var/www/html;", f"root {static};", 1),
        ("root /srv/ledger/static;", f"root {static};", 1),
    ]
    for old, new, count in replacements:
        assert site.count(old) == count, f"deploy/nginx/ledger.conf no longer has {old!r} {count} time(s)"
        site = site.replace(old, new)
    return site


class Nginx:
    def __init__(self, prefix: Path, https_port: int, http_port: int) -> None:
        self.prefix, self.https_port, self.http_port = prefix, https_port, http_port
        self.base_url = f"https://127.0.0.1:{https_port}"
        self.http_url = f"http://127.0.0.1:{http_port}"
        self.process: subprocess.Popen | None = None

    @property
    def access_log(self) -> Path:
        return self.prefix / "nginx-access.log"

    def start(self) -> None:
        command = [NGINX, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-e",
                   str(self.prefix / "nginx-error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, f"nginx -t:\n{checked.stderr}"
        with open(self.prefix / "nginx-stderr.log", "wb") as err:
            self.process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=err,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while True:
            assert self.process.poll() is None, (self.prefix / "nginx-error.log").read_text(errors="replace")
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.https_port), timeout=1):
                return
            assert time.monotonic() < deadline, "nginx does not listen after 15 s"
            time.sleep(0.05)

    def reload(self) -> None:
        """`systemctl reload nginx`: new workers with the site as it is now; the old ones finish their requests."""
        command = [NGINX, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-e",
                   str(self.prefix / "nginx-error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, f"nginx -t:\n{checked.stderr}"
        assert self.process is not None and self.process.poll() is None
        self.process.send_signal(signal.SIGHUP)
        time.sleep(1)  # the new workers take over at once; a bounded grace for the old ones to hand over

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.process = None


def nginx_conf(prefix: Path, site: Path) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the test's 0700 tmp directories
    temp = "\n".join(f"    {kind}_temp_path {prefix / ('temp-' + kind)};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 2;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'nginx-error.log'} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
{temp}
    access_log off;
    include {site};
}}
"""


def make_certificate(tls: Path) -> None:
    tls.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                    "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem"), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)


# --- the whole topology, once per module ---------------------------------------------------------------------------


class Topology:
    def __init__(self, tmp: Path, nginx: Nginx, servers: list[AppServer], settings: dict[str, str], env_file: Path,
                 redis: RedisServer, database_url: str) -> None:
        self.tmp, self.nginx, self.servers = tmp, nginx, servers
        self.settings, self.env_file = settings, env_file
        self.redis, self.database_url = redis, database_url
        self.base_url = nginx.base_url
        self.ca = tmp / "tls" / "cert.pem"
        self.site = tmp / "site.conf"

    def client(self, source: str) -> requests.Session:
        return client(source, self.ca)

    def update_settings(self, **changes: str) -> None:
        """Rewrite the env file of the app servers (what an operator edits in /etc/ledger/ledger.env)."""
        self.settings.update(changes)
        write_env_file(self.env_file, self.settings)

    def register(self, session: requests.Session, email: str, password: str = PASSWORD) -> None:
        response = session.post(self.base_url + "/api/v1/auth/register", json={"email": email, "password": password},
                                timeout=HTTP_TIMEOUT)
        assert response.status_code == 201, response.text

    def login(self, session: requests.Session, email: str, password: str = PASSWORD) -> dict:
        response = session.post(self.base_url + "/api/v1/auth/login", json={"email": email, "password": password},
                                timeout=HTTP_TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()

    def log_marks(self) -> list[int]:
        """Where each app server's log ends now; `app_logs(since=...)` reads what came after."""
        return [server.log.stat().st_size if server.log.exists() else 0 for server in self.servers]

    def app_logs(self, since: list[int] | None = None) -> str:
        """Both app servers' logs, each read from its own mark (offsets into one concatenation would drift as
        the first log grows)."""
        marks = since or [0] * len(self.servers)
        parts = []
        for server, mark in zip(self.servers, marks, strict=True):
            with open(server.log, "rb") as handle:
                handle.seek(mark)
                parts.append(handle.read().decode(errors="replace"))
        return "\n".join(parts)


@pytest.fixture(scope="module")
def topology(tmp_path_factory) -> Iterator[Topology]:
    reason = _missing()
    if reason:
        unavailable(reason)
    tmp = tmp_path_factory.mktemp("topology")
    make_certificate(tmp / "tls")
    static = tmp / "static"
    if (DIST / "index.html").is_file():
        subprocess.run([str(DEPLOY / "publish-web.sh"), str(DIST), str(static)], check=True, capture_output=True,
                       timeout=60)
    else:
        static.mkdir()  # the API checks run without a web build; the browser check needs one
    redis = RedisServer(launcher.free_port(), tmp)
    redis.start()
    url = recreate_database(DATABASE)
    servers: list[AppServer] = []
    nginx: Nginx | None = None
    try:
        launcher.migrate(url)
        settings = {
            "LEDGER_ENV": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "JWT_SECRET_KEYS": secrets.token_urlsafe(48),
            "RATELIMIT_STORAGE_URI": redis.url,
            "RATELIMIT_LOGIN": "10 per minute; 100 per hour",
            "RATELIMIT_REGISTER": "1000 per hour",  # registrations are not what these tests limit
            "TRUSTED_PROXY_COUNT": "1",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "WEB_CONCURRENCY": str(WORKERS),
            "WEB_DIST": str(static),
            "COOKIE_SECURE": "true",
            "HSTS_SECONDS": "31536000",
            "REFRESH_TOKEN_TRANSPORT": "cookie",
            "LOG_LEVEL": "INFO",
        }
        env_file = tmp / "ledger.env"
        write_env_file(env_file, settings)
        ports = [launcher.free_port(), launcher.free_port()]
        while ports[1] == ports[0]:
            ports[1] = launcher.free_port()
        servers = [AppServer(f"app-{port}", port, env_file, tmp) for port in ports]
        for server in servers:
            server.start()
        https_port, http_port = launcher.free_port(), launcher.free_port()
        site = tmp / "site.conf"
        site.write_text(render_site(https_port, http_port, ports, tmp / "tls", static, tmp))
        (tmp / "nginx.conf").write_text(nginx_conf(tmp, site))
        nginx = Nginx(tmp, https_port, http_port)
        nginx.start()
        yield Topology(tmp, nginx, servers, settings, env_file, redis, url)
    finally:
        if nginx is not None:
            nginx.stop()
        for server in servers:
            server.stop()
        redis.stop()
        drop_database(DATABASE)
