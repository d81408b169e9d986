"""The house rules that keep modules easy to find and free of import cycles (issue 7, "A tidier house")."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ledger
from ledger.database import MAX_ID

LEDGER = Path(ledger.__file__).parent


def _modules_imported_by(module: str) -> list[str]:
    """The app's modules that a fresh interpreter has loaded after importing `module` alone.

    The `ledger` package is registered without running its __init__ (which imports the whole app for
    create_app), so that only what `module` itself imports is loaded.
    """
    code = (f"import json, sys, types; package = types.ModuleType('ledger'); package.__path__ = [{str(LEDGER)!r}]; "
            f"sys.modules['ledger'] = package; import {module}; "
            "print(json.dumps(sorted(name for name in sys.modules if name.split('.')[0] == 'ledger')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_extensions_import_nothing_from_the_app():
    """Every module may import ledger.extensions at its top: it must not import the app back (no cycle)."""
    assert _modules_imported_by("ledger.extensions") == ["ledger", "ledger.extensions"]


def test_errors_need_nothing_but_the_extensions():
    """ledger.errors (exceptions, problem(), handlers) imports no feature and no OpenAPI machinery
    (that is ledger.openapi), so that every layer can raise its errors."""
    assert _modules_imported_by("ledger.errors") == ["ledger", "ledger.errors", "ledger.extensions"]


def test_max_id_is_defined_once():
    """The INTEGER id range is ledger.database.MAX_ID everywhere, never spelled out again."""
    assert MAX_ID == 2**31 - 1
    spelled = [str(path.relative_to(LEDGER)) for path in LEDGER.rglob("*.py")
               if re.search(r"2\s*\*\*\s*31|2147483647|MAX_\w*ID\s*=", path.read_text())]
    assert spelled == ["database.py"]


@pytest.mark.parametrize("module, names", [
    ("ledger.money", ["exact_sum", "from_parts", "as_int"]),
    ("ledger.months", ["month_bounds"]),
    ("ledger.schemas", ["MONTH_PATTERN"]),
    # auth, by concern: issuing, decoding, the check (with its decorator), and the one way tokens end
    ("ledger.auth.issuing", ["issue_access_token", "issue_refresh_token", "issue_pair", "csrf_for"]),
    ("ledger.auth.decoding", ["decode", "structural_claims", "bearer_token"]),
    ("ledger.auth.check", ["authenticate", "current_auth", "auth_required"]),
    ("ledger.auth.revocation", ["revoke_all_tokens", "revoke_session", "commit_user_change", "commit_sessions_ended"]),
    ("ledger.clock", ["household_today", "household_zone"]),
])
def test_shared_helpers_are_defined_in_their_home_only(module, names):
    pattern = re.compile(r"^(?:def|class)\s+(\w+)|^(\w+)\s*(?::[^=]*)?=", re.M)
    for path in LEDGER.rglob("*.py"):
        dotted = "ledger." + ".".join(path.relative_to(LEDGER).with_suffix("").parts)
        defined = {a or b for a, b in pattern.findall(path.read_text())}
        if dotted != module:
            assert not defined & set(names), dotted
        else:
            assert set(names) <= defined


def test_no_module_asks_the_servers_clock_for_the_date():
    """"Today" is the household's (ledger.clock.household_today), not the server's local date."""
    asking = [str(path.relative_to(LEDGER)) for path in LEDGER.rglob("*.py")
              if re.search(r"\bdate\.today\(|\bdatetime\.(?:now|today)\(\s*\)|\.localtime\(", path.read_text())]
    assert asking == []
