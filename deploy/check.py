"""Import the app as a new gunicorn worker would, with the settings of an env file; exit 1 with its error.

    .venv/bin/python deploy/check.py [/etc/ledger/ledger.env]

Without that file, the settings exported in the environment. The release's safety catch: `systemctl reload
ledger@8001` runs it before it sends HUP (ExecReload), and deploy/gunicorn.conf.py before the first start, so
code or settings that cannot start never replace the workers that are serving. Prints "ok" when the app imports.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ENV_FILE = "/etc/ledger/ledger.env"
TIMEOUT = 120


def read_settings(env_file: str) -> dict[str, str]:
    """The KEY=value lines of `env_file` (the format systemd's EnvironmentFile reads too)."""
    return {key: value or "" for key, value in dotenv_values(env_file).items()}


def check(env_file: str) -> str | None:
    """None when the app imports with these settings, else the last line of its error."""
    # Without the file (settings exported in the environment instead), the environment as it is.
    environment = {**os.environ, **(read_settings(env_file) if os.path.isfile(env_file) else {})}
    try:
        result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=environment,
                                capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"the app did not import within {TIMEOUT} s"
    if result.returncode == 0:
        return None
    return (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]


def main() -> int:
    env_file = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LEDGER_ENV_FILE", DEFAULT_ENV_FILE)
    error = check(env_file)
    if error:
        print(f"ledger: the app does not start with {env_file} and this code: {error}", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
