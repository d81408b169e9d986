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
    ("ledger.money", ["exact_sum", "from_parts", "as_int", "MAX_AMOUNT", "parse_amount"]),
    ("ledger.months", ["month_bounds", "parse_month", "parse_date", "checked_month", "month_count"]),
    ("ledger.database", ["MAX_ID", "ID_PATTERN", "parse_id", "is_id", "NAME_MAX_LENGTH"]),
    ("ledger.schemas", ["MONTH_PATTERN", "Id", "QueryId", "name_length_problem"]),
    ("ledger.categories.models", ["parent_key"]),
    ("ledger.entries.services", ["reassign_category"]),
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


# One parser per rule (issue 19): each rule below is written in its home only, and used from there. A copy
# elsewhere is how the rules drifted (a `\\d` that takes "２０２６", an id check with its own length limit,
# a name limit spelled 100 again). Each rule: what to use instead, the pattern of a copy, the homes, and one
# of the copies this test was written against (which the scan must find).
ONE_HOME = [
    ("ISO dates: ledger.months.parse_date",
     r"fromisoformat\(|strptime\(|\{4\}-(?:\[0-9\]|\\d)\{2\}", {"months.py"},
     '_DATE_RE = re.compile(r"^\\d{4}-\\d{2}-\\d{2}$")'),
    ("months: ledger.months.parse_month, checked_month, month_bounds",
     r"0\[1-9\]\|1\[0-2\]|month_range\(\*parse_month", {"months.py", "schemas.py"},
     "first, last = month_range(*parse_month(args[\"month\"]), ledger.month_start_day)"),
    ("month arithmetic: ledger.months.month_count, shift",
     r"\*\s*12\s*\+", {"months.py"},
     "count = (end[0] * 12 + end[1]) - (start[0] * 12 + start[1]) + 1"),
    ("digits in text: ledger.database.parse_id, ledger.money.parse_amount",
     r"\.is(?:digit|decimal|numeric)\(|\[1-9\]\[0-9\]", {"database.py", "money.py"},
     "elif session_id.isascii() and session_id.isdigit() and len(session_id) < 12 \\"),
    ("whole-text regex matches: the parsers' homes",
     r"\.fullmatch\(", {"months.py", "database.py", "money.py", "schemas.py"},
     "if _AMOUNT_RE.fullmatch(value) and int(value) <= MAX_AMOUNT:"),
    ("the id range: ledger.database.MAX_ID, is_id, schemas.Id and QueryId",
     r"2\s*\*\*\s*31|2147483647|[<>]=?\s*MAX_ID\b|\bMAX_ID\s*[<>]|max=MAX_ID", {"database.py", "schemas.py"},
     "if 1 <= entry_id <= MAX_ID:"),
    ("the largest amount: ledger.money.MAX_AMOUNT",
     r"2\s*\*\*\s*53|9007199254740991|9_007_199_254_740_991", {"money.py"},
     "* `amount`: integer minor units, 1..9007199254740991, digits only"),
    ("name length: ledger.database.NAME_MAX_LENGTH, schemas.name_length_problem",
     r"String\(100\)|max=100\b|\[:100\]|LENGTH\s*=\s*100\b", {"database.py"},
     "MAX_NAME_LENGTH = 100  # accounts.name, categories.name"),
    ("a length limit as a bare number: name it, in its rule's home",
     r"\blen\([^()]*\)\s*[<>]=?\s*\d{2,}|\b\d{2,}\s*[<>]=?\s*len\(", set(),
     "or not (sub.isascii() and sub.isdigit()) or len(sub) > 18:"),
    ("the top-level parent key: ledger.categories.models.parent_key",
     r"parent_id\s+or\s+0|parent_key\s*=\s*0\b", {"categories/models.py"},
     "category = Category(ledger_id=ledger_id, name=name, kind=kind, parent_id=parent_id, parent_key=parent_id or 0,"),
]


def _copies(root: Path, pattern: str, homes: set[str]) -> list[str]:
    """`file:line: text` of each line under `root` outside `homes` that matches `pattern`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in homes:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize("rule, pattern, homes, copy", ONE_HOME, ids=[rule for rule, *_ in ONE_HOME])
def test_each_rule_is_written_in_its_home_only(rule, pattern, homes, copy):
    assert all((LEDGER / home).is_file() for home in homes), homes
    copies = _copies(LEDGER, pattern, homes)
    assert not copies, f"use {rule} instead of a copy:\n" + "\n".join(copies)


@pytest.mark.parametrize("rule, pattern, homes, copy", ONE_HOME, ids=[rule for rule, *_ in ONE_HOME])
def test_a_new_copy_of_a_rule_is_named_by_file_and_line(tmp_path, rule, pattern, homes, copy):
    feature = tmp_path / "feature"
    feature.mkdir()
    (feature / "services.py").write_text(f"def check(value):\n    {copy}\n", encoding="utf-8")
    assert _copies(tmp_path, pattern, homes) == [f"feature/services.py:2: {copy}"]


def test_no_module_asks_the_servers_clock_for_the_date():
    """"Today" is the household's (ledger.clock.household_today), not the server's local date."""
    asking = [str(path.relative_to(LEDGER)) for path in LEDGER.rglob("*.py")
              if re.search(r"\bdate\.today\(|\bdatetime\.(?:now|today)\(\s*\)|\.localtime\(", path.read_text())]
    assert asking == []
