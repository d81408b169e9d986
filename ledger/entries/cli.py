"""`flask entries purge-idempotency-keys`: stored POST responses are kept for a day by default."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from ledger.entries.idempotency import purge_idempotency_keys

entries_cli = AppGroup("entries", help="Maintain entry data.")


@entries_cli.command("purge-idempotency-keys")
@click.option("--older-than-hours", type=click.IntRange(min=1), default=24, show_default=True)
def purge_keys(older_than_hours: int) -> None:
    """Delete stored Idempotency-Key responses older than the given age; prints how many."""
    count = purge_idempotency_keys(timedelta(hours=older_than_hours))
    click.echo(f"purged {count} idempotency keys")
