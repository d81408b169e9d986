"""`flask feed purge-tombstones`: deletions are kept in the change feed for 30 days by default."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from ledger.feed.services import TOMBSTONE_RETENTION, purge_tombstones

feed_cli = AppGroup("feed", help="Maintain the change feed.")


@feed_cli.command("purge-tombstones")
@click.option("--older-than-days", type=click.IntRange(min=1), default=TOMBSTONE_RETENTION.days, show_default=True)
def purge(older_than_days: int) -> None:
    """Delete the feed's tombstones older than the given age (older cursors become 410); prints how many."""
    count = purge_tombstones(timedelta(days=older_than_days))
    click.echo(f"purged {count} tombstones")
