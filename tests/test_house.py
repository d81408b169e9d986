"""The house rules that keep modules easy to find and free of import cycles (issue 7, "A tidier house")."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ledger

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
