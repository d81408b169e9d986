"""gunicorn settings of the deployed app servers (deploy/systemd/ledger@.service): the repository's
gunicorn.conf.py with two changes that make `kill -HUP` (systemctl reload) a release:

* preload_app = False: every worker imports the app itself, so the workers that a HUP starts run the code
  that is on disk now (with preload, a HUP forks again the code that the master loaded when it started).
* The app's settings come from LEDGER_ENV_FILE (default /etc/ledger/ledger.env, KEY=value lines), read again
  on every HUP (gunicorn re-reads this file): a reload also picks up changed settings (JWT_SECRET_KEYS).
  WEB_CONCURRENCY and FORWARDED_ALLOW_IPS in that file set gunicorn's workers and trusted proxy addresses.

Before the first start the app is imported once in a child process (deploy/check.py): settings or code that
cannot start stop gunicorn at once with the app's one-line error. `systemctl reload` runs the same check
before it sends HUP; a bare `kill -HUP` skips it, so use systemctl.
"""
import os
import subprocess
import sys
from pathlib import Path

from dotenv import dotenv_values

_ROOT = Path(__file__).resolve().parents[1]
exec(compile((_ROOT / "gunicorn.conf.py").read_text(), str(_ROOT / "gunicorn.conf.py"), "exec"))  # noqa: S102

ENV_FILE = os.environ.get("LEDGER_ENV_FILE", "/etc/ledger/ledger.env")
_settings = {key: value or "" for key, value in dotenv_values(ENV_FILE).items()} if os.path.isfile(ENV_FILE) \
    else {}
# gunicorn sets these in the master's environment (taking the previous ones out on a reload) before it forks
# the workers, which inherit them.
raw_env = [f"{key}={value}" for key, value in _settings.items()]
workers = int(_settings.get("WEB_CONCURRENCY") or workers)  # noqa: F821 - from the repository's file
forwarded_allow_ips = _settings.get("FORWARDED_ALLOW_IPS") or forwarded_allow_ips  # noqa: F821

preload_app = False
chdir = str(_ROOT)


def on_starting(server) -> None:
    """Refuse to start (exit 1, the app's error in the log) when the app does not import with these settings."""
    result = subprocess.run([sys.executable, str(_ROOT / "deploy" / "check.py"), ENV_FILE], cwd=_ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        server.log.error(result.stderr.strip() or f"deploy/check.py: exit status {result.returncode}")
        raise SystemExit(1)
