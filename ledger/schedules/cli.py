"""`flask schedules run`: post every ledger's due auto occurrences (the systemd timer runs it)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ledger.schedules.services import CATCH_UP_MAX, run_all

schedules_cli = AppGroup("schedules", help="Recurring entries.")


@schedules_cli.command("run")
def run() -> None:
    """Post the due occurrences of auto schedules (at most 370 per schedule; run again for the rest)."""
    report = run_all()
    click.echo(f"schedules: {report.schedules} due, {report.posted} posted, {report.already} already posted, "
               f"{len(report.truncated)} truncated at {CATCH_UP_MAX}, {len(report.failed)} failed")
    for schedule_id in report.truncated:
        click.echo(f"truncated: schedule {schedule_id} has more due occurrences; run again")
    for schedule_id in report.failed:
        click.echo(f"failed: schedule {schedule_id}: its template is not a valid entry any more", err=True)
