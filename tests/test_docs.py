"""The repository stands on its own: its documents link only to files it has, and its copy of the contract
is the shared one."""
from __future__ import annotations

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


def test_the_repositorys_contract_is_the_shared_one():
    if not SHARED_CONTRACT.exists():
        pytest.skip("no ../shared/API.md beside this checkout")
    assert (ROOT / "docs" / "API.md").read_text() == SHARED_CONTRACT.read_text(), \
        "docs/API.md is behind ../shared/API.md: copy it over and review what changed"
