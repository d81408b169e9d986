"""`flask users ...` and `flask tokens purge`: the same services as the API."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ledger.auth import sessions, users
from ledger.auth.models import User
from ledger.database import iso_utc
from ledger.errors import ApiError
from ledger.extensions import db
from ledger.ledgers.services import list_ledgers

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage stored refresh tokens.")

P = ParamSpec("P")
T = TypeVar("T")


def _fail(message: str) -> NoReturn:
    """One line on stderr, exit 1, no traceback."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _explain(error: ApiError) -> str:
    if error.errors:
        reasons = "; ".join(f"{field}: {' '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                            for field, msgs in error.errors.items())
        return f"{error.detail} {reasons}"
    return error.detail


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _user(email: str) -> User:
    try:
        return users.find_user(email)
    except ApiError as error:
        _fail(error.detail)


def _run(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a service; an ApiError becomes one line on stderr and exit 1."""
    try:
        return fn(*args, **kwargs)
    except ApiError as error:
        db.session.rollback()
        _fail(_explain(error))


@users_cli.command("create")
@click.argument("email")
@click.option("--display-name", default=None)
@click.option("--currency", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email, display_name, currency, password_stdin):
    """Create a user."""
    password = _read_password(password_stdin)
    user = _run(users.create_user, email, password, display_name=display_name, currency=currency)
    click.echo(f"created user {user.id} {user.email}")


@users_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_users(as_json):
    """One line per user: id, email, active, created, sessions."""
    counts = sessions.session_counts()
    everyone = db.session.execute(select(User).order_by(User.id)).scalars()
    rows = [{"id": u.id, "email": u.email, "active": u.is_active, "created_at": iso_utc(u.created_at),
             "sessions": counts.get(u.id, 0)} for u in everyone]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for r in rows:
        click.echo(f"{r['id']}\t{r['email']}\t{'active' if r['active'] else 'inactive'}\t"
                   f"{r['created_at']}\t{r['sessions']} sessions")


@users_cli.command("show")
@click.argument("email")
def show(email):
    """Details of one user, including live sessions."""
    user = _user(email)
    click.echo(f"id: {user.id}\nemail: {user.email}\ndisplay_name: {user.display_name}\n"
               f"default_ledger_id: {user.default_ledger_id}\n"
               f"active: {user.is_active}\ntoken_version: {user.token_version}\n"
               f"created_at: {iso_utc(user.created_at)}")
    ledgers = list_ledgers(user.id)
    click.echo(f"ledgers: {len(ledgers)}")
    for ledger in ledgers:
        click.echo(f"  {ledger.id}\t{ledger.role}\t{ledger.currency}\t{ledger.name}")
    live = sessions.list_sessions(user.id)
    click.echo(f"sessions: {len(live)}")
    for s in live:
        click.echo(f"  {s.id}\t{s.ip}\tcreated {iso_utc(s.created_at)}\tlast used {iso_utc(s.last_used_at)}"
                   f"\t{s.user_agent}")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True)
def set_password(email, password_stdin):
    """Set a password and revoke every token."""
    user = _user(email)
    _run(users.set_password, user, _read_password(password_stdin))
    click.echo(f"password set for {user.email}; every token revoked")


@users_cli.command("logout")
@click.argument("email")
def logout(email):
    """Revoke every token of the user."""
    user = _user(email)
    sessions.logout(user.id)
    click.echo(f"every token of {user.email} revoked")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email):
    """Block login and revoke every token."""
    user = _user(email)
    users.set_active(user, False)
    click.echo(f"{user.email} deactivated")


@users_cli.command("activate")
@click.argument("email")
def activate(email):
    """Allow login again."""
    user = _user(email)
    users.set_active(user, True)
    click.echo(f"{user.email} activated")


@users_cli.command("delete")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(email, yes):
    """Delete the user and all their data."""
    user = _user(email)
    if not yes and not click.confirm(f"Delete {user.email} and all their data?"):
        _fail("not deleted")
    users.delete_user(user)
    click.echo(f"{email} deleted")


@users_cli.command("mfa-reset")
@click.argument("email")
def mfa_reset(email):
    """Remove every second factor (TOTP, recovery codes, passkeys) and revoke every token (logged)."""
    from ledger.auth.mfa import services as mfa

    user = _user(email)
    mfa.reset(user)
    click.echo(f"second factors of {user.email} removed; every token revoked")


@tokens_cli.command("purge")
def purge():
    """Delete refresh-token rows that expired or were revoked."""
    click.echo(f"purged {sessions.purge_tokens()} refresh tokens")
