"""`flask imports purge`: statement uploads are kept for a day (the daily ledger-purge timer runs this)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ledger.imports.services import purge_imports

imports_cli = AppGroup("imports", help="Statement imports.")


@imports_cli.command("purge")
def purge() -> None:
    """Delete expired statement uploads (their table and choices; imported entries stay)."""
    click.echo(f"purged {purge_imports()} statement imports")
