"""The repository stands on its own: its documents link only to files it has, and its API reference still
holds the original contract."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_CONTRACT = ROOT.parent / "shared" / "API.md"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("document", ["README.md", "CHANGELOG.md", "benchmarks/README.md", "web/README.md",
                                      "docs/UI.md", "docs/SPA-AUTH.md"])
def test_every_relative_link_resolves_inside_the_repository(document):
    path = ROOT / document
    targets = [t for t in LINK.findall(path.read_text()) if "://" not in t and not t.startswith("mailto:")]

    missing = [t for t in targets if not (path.parent / t).exists()]
    outside = [t for t in targets if not (path.parent / t).resolve().is_relative_to(ROOT)]
    assert (missing, outside) == ([], [])


# What a contract binds: `METHOD /path` (placeholders named any way), `| `code` | status |` rows of the error
# table, and every HTTP status it mentions.
OPERATION = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) (/[A-Za-z0-9_./{}-]*[A-Za-z0-9_/}-])")
CODE_ROW = re.compile(r"^\| `([a-z_]+)` \| ([1-5][0-9][0-9]) \|", re.M)
STATUS = re.compile(r"(?<![0-9.])([1-5][0-9][0-9])(?![0-9])")


def _contract(text: str) -> dict[str, set]:
    operations = {(method, re.sub(r"\{[^}]*\}", "{}", path)) for method, path in OPERATION.findall(text)}
    return {"operations": operations, "codes": set(CODE_ROW.findall(text)),
            "statuses": {int(s) for s in STATUS.findall(text) if 100 <= int(s) <= 599}}


def test_the_original_contract_is_a_subset_of_the_projects_reference():
    """docs/API.md is the project's own reference and grows; everything ../shared/API.md binds (its paths, its
    error codes with their statuses, the statuses it names) must still be in it."""
    if not SHARED_CONTRACT.exists():
        if os.environ.get("CI"):
            pytest.fail("../shared/API.md is missing beside the checkout in CI")
        pytest.skip("no ../shared/API.md beside this checkout")
    original, ours = _contract(SHARED_CONTRACT.read_text()), _contract((ROOT / "docs" / "API.md").read_text())

    assert original["operations"] and original["codes"]  # the patterns still read the contract
    missing = {part: sorted(original[part] - ours[part]) for part in original}
    assert missing == {"operations": [], "codes": [], "statuses": []}


def test_the_subset_check_notices_a_dropped_path_and_code():
    original = _contract("`GET /entries/{id}` and `DELETE /me` → `204`\n| `last_owner` | 409 | x |\n")
    ours = _contract("`GET /entries/{entry_id}` → 200\n")

    assert original["operations"] - ours["operations"] == {("DELETE", "/me")}
    assert original["codes"] - ours["codes"] == {("last_owner", "409")}
    assert original["statuses"] - ours["statuses"] == {204, 409}
