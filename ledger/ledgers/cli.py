"""`flask ledgers ...`: look at ledgers and their members, add or remove a member (the API's services)."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ledger.auth.cli import _fail, _run, _user
from ledger.database import iso_utc
from ledger.extensions import db
from ledger.ledgers import services
from ledger.ledgers.models import ROLES, Ledger, LedgerMember

ledgers_cli = AppGroup("ledgers", help="Manage ledgers (households) and their members.")


def _ledger(ledger_id: int) -> Ledger:
    ledger = db.session.get(Ledger, ledger_id)
    if ledger is None:
        _fail(f"No ledger {ledger_id}.")
    return ledger


@ledgers_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_ledgers(as_json):
    """One line per ledger: id, currency, members, created, name."""
    counts = dict(db.session.execute(select(LedgerMember.ledger_id, func.count())
                                     .group_by(LedgerMember.ledger_id)).all())
    ledgers = db.session.execute(select(Ledger).order_by(Ledger.id)).scalars()
    rows = [{"id": ledger.id, "name": ledger.name, "currency": ledger.currency,
             "month_start_day": ledger.month_start_day, "members": counts.get(ledger.id, 0),
             "created_at": iso_utc(ledger.created_at)} for ledger in ledgers]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{r['id']}\t{r['currency']}\t{r['members']} members\t{r['created_at']}\t{r['name']}")


@ledgers_cli.command("show")
@click.argument("ledger_id", type=int)
def show(ledger_id):
    """Details of one ledger and its members with their roles."""
    ledger = _ledger(ledger_id)
    click.echo(f"id: {ledger.id}\nname: {ledger.name}\ncurrency: {ledger.currency}\n"
               f"month_start_day: {ledger.month_start_day}\ncreated_at: {iso_utc(ledger.created_at)}")
    members = services.list_members(ledger.id)
    click.echo(f"members: {len(members)}")
    for m in members:
        click.echo(f"  {m.user_id}\t{m.role}\t{m.email}\tjoined {iso_utc(m.joined_at)}")


@ledgers_cli.command("add-member")
@click.argument("ledger_id", type=int)
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
def add_member(ledger_id, email, role):
    """Add a user to a ledger with a role (no invitation)."""
    user = _user(email)
    _run(services.add_member, ledger_id, user.id, role)
    click.echo(f"{user.email} added to ledger {ledger_id} as {role}")


@ledgers_cli.command("remove-member")
@click.argument("ledger_id", type=int)
@click.argument("email")
def remove_member(ledger_id, email):
    """Remove a user from a ledger (never its last owner)."""
    user = _user(email)
    _ledger(ledger_id)
    _run(services.remove_member_from, ledger_id, user.id)
    click.echo(f"{user.email} removed from ledger {ledger_id}")
