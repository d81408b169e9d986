"""Random operations by two members of one ledger (A owner, B editor or viewer) and a third user C with a
ledger of their own, through the real API; after every step an oracle over the whole database and the answer.

The oracle: no row of C's ledger changes when A or B acts, no row of A's or B's ledgers when C acts; every
entry's accounts and category, every budget's category and every category's parent belong to the row's own
ledger; an answer never carries an id or a name or memo of a ledger the caller is not a member of. Names and
memos carry a marker of their ledger ("sharedmark" or "ownmark") so that a leak shows in the raw bytes.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import pytest

from tests.ledgers.conftest import snapshot

SEEDS = [1, 2, 3]
STEPS = 150
MONTH = "2026-11"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Where an id in an answer points: its key, or for `id` the resource of the path.
ID_KEYS = {"account_id": "accounts", "to_account_id": "accounts", "category_id": "categories",
           "parent_id": "categories"}
RESOURCES = ("accounts", "categories", "entries")


@dataclass(eq=False)
class Actor:
    name: str
    person: object  # tests.ledgers.conftest.Person
    home: int  # the ledger this actor works in
    marker: str  # in every name and memo this actor writes
    role: str = "owner"


@dataclass
class Step:
    actor: Actor
    method: str
    path: str  # absolute
    kwargs: dict
    expect: set[int]  # the statuses this step may answer
    foreign: bool = False  # aimed at another ledger's rows: must change nothing anywhere
    label: str = ""


@dataclass
class World:
    client: object
    sql: object
    shared: int  # A's ledger, shared with B
    own_b: int  # B's personal ledger (B never works in it here; nobody may change it)
    own_c: int
    a: Actor
    b: Actor
    c: Actor
    rng: random.Random
    counter: int = 0
    ever: dict = field(default_factory=dict)  # ledger id → table → every id it ever had
    answered: dict = field(default_factory=dict)  # label → statuses seen
    revoked: dict = field(default_factory=dict)  # ledger id → the token of an invitation to it that was revoked

    # -- the database as it is now
    def ids(self, ledger: int, table: str, where: str = "1=1") -> list[int]:
        return [r[0] for r in self.sql.rows(f"SELECT id FROM {table} WHERE ledger_id = :l AND {where} ORDER BY id",
                                            l=ledger)]

    def pick(self, ledger: int, table: str, where: str = "1=1") -> int | None:
        found = self.ids(ledger, table, where)
        return self.rng.choice(found) if found else None

    def name(self, actor: Actor, kind: str) -> str:
        self.counter += 1
        return f"{actor.marker}-{kind}-{self.counter}"

    def remember(self) -> None:
        for ledger in (self.shared, self.own_b, self.own_c):
            for table in RESOURCES:
                self.ever.setdefault(ledger, {}).setdefault(table, set()).update(self.ids(ledger, table))

    def base(self, actor: Actor, ledger: int | None = None) -> str:
        ledger = actor.home if ledger is None else ledger
        # A's and C's default ledger is their home: the unscoped paths act on it too.
        if ledger == actor.home and actor is not self.b and self.rng.random() < 0.3:
            return "/api/v1"
        return f"/api/v1/ledgers/{ledger}"

    def other(self, actor: Actor) -> int:
        return self.own_c if actor is not self.c else self.shared


# --- the operations -------------------------------------------------------------------------------------------
def op_create_account(w: World, actor: Actor) -> Step:
    body = {"name": w.name(actor, "acc"), "type": w.rng.choice(["bank", "credit_card", "other"]),
            "opening_balance": w.rng.randrange(0, 10**6)}
    return Step(actor, "POST", w.base(actor) + "/accounts", {"json": body}, {201})


def op_patch_account(w: World, actor: Actor) -> Step | None:
    account = w.pick(actor.home, "accounts")
    if account is None:
        return None
    return Step(actor, "PATCH", f"{w.base(actor)}/accounts/{account}", {"json": {"name": w.name(actor, "acc")}},
                {200})


def op_delete_account(w: World, actor: Actor) -> Step | None:
    account = w.pick(actor.home, "accounts")
    if account is None:
        return None
    return Step(actor, "DELETE", f"{w.base(actor)}/accounts/{account}", {}, {204, 409})


def op_create_category(w: World, actor: Actor) -> Step:
    kind = w.rng.choice(["expense", "income"])
    body = {"name": w.name(actor, "cat"), "kind": kind}
    parent = w.pick(actor.home, "categories", f"kind = '{kind}' AND parent_id IS NULL")
    if parent is not None and w.rng.random() < 0.4:
        body["parent_id"] = parent
    return Step(actor, "POST", w.base(actor) + "/categories", {"json": body}, {201})


def op_patch_category(w: World, actor: Actor) -> Step | None:
    category = w.pick(actor.home, "categories")
    if category is None:
        return None
    return Step(actor, "PATCH", f"{w.base(actor)}/categories/{category}",
                {"json": {"name": w.name(actor, "cat"), "color": "#123456"}}, {200})


def op_delete_category(w: World, actor: Actor) -> Step | None:
    category = w.pick(actor.home, "categories")
    if category is None:
        return None
    query = ""
    kind = w.sql.scalar("SELECT kind FROM categories WHERE id = :c", c=category)
    target = w.pick(actor.home, "categories", f"kind = '{kind}' AND id <> {category}")
    if target is not None and w.rng.random() < 0.5:
        query = f"?reassign_to={target}"
    return Step(actor, "DELETE", f"{w.base(actor)}/categories/{category}{query}", {}, {204, 409})


def _entry_body(w: World, actor: Actor, ledger: int) -> dict | None:
    accounts = w.ids(ledger, "accounts")
    if not accounts:
        return None
    kind = w.rng.choice(["expense", "income", "transfer"] if len(accounts) > 1 else ["expense", "income"])
    body = {"type": kind, "amount": w.rng.randrange(1, 10**6), "account_id": w.rng.choice(accounts),
            "occurred_on": f"2026-{w.rng.randrange(10, 13)}-{w.rng.randrange(1, 29):02d}",
            "memo": w.name(actor, "memo"), "tags": [w.name(actor, "tag")]}
    if kind == "transfer":
        body["to_account_id"] = w.rng.choice([a for a in accounts if a != body["account_id"]])
    else:
        category = w.pick(ledger, "categories", f"kind = '{kind}'")
        if category is None:
            return None
        body["category_id"] = category
    return body


def op_create_entry(w: World, actor: Actor) -> Step | None:
    body = _entry_body(w, actor, actor.home)
    if body is None:
        return None
    headers = {"Idempotency-Key": f"k{w.rng.randrange(5)}"} if w.rng.random() < 0.3 else {}
    # A key used before with another body is 422 idempotency_key_reused; with the same body, a replay.
    return Step(actor, "POST", w.base(actor) + "/entries", {"json": body, "headers": headers}, {201, 422})


def _lines(w: World, actor: Actor, kind: str, amount: int) -> list[dict] | None:
    """2..4 lines of `amount` in the ledger's categories of `kind` (None when it has none or amount < 2)."""
    categories = w.ids(actor.home, "categories", f"kind = '{kind}'")
    count = w.rng.randrange(2, 5)
    if not categories or amount < count:
        return None
    cuts = sorted(w.rng.sample(range(1, amount), count - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, amount], strict=True)]
    return [{"amount": part, "category_id": w.rng.choice(categories), "memo": w.name(actor, "line")}
            for part in parts]


def op_create_split(w: World, actor: Actor) -> Step | None:
    """A split entry (lines adding up); now and then lines that do not add up (422, nothing stored)."""
    body = _entry_body(w, actor, actor.home)
    if body is None or body["type"] == "transfer":
        return None
    lines = _lines(w, actor, body["type"], body["amount"])
    if lines is None:
        return None
    del body["category_id"]
    body["lines"] = lines
    if w.rng.random() < 0.2:
        body["amount"] += 1
        return Step(actor, "POST", w.base(actor) + "/entries", {"json": body}, {422}, label="split sum mismatch")
    return Step(actor, "POST", w.base(actor) + "/entries", {"json": body}, {201}, label="POST split")


def op_patch_lines(w: World, actor: Actor) -> Step | None:
    """Replace an income/expense entry's lines as a whole (splitting it, or unsplitting a split one)."""
    entry = w.pick(actor.home, "entries", "type <> 'transfer'")
    if entry is None:
        return None
    kind, amount, category = w.sql.rows("SELECT type, amount, category_id FROM entries WHERE id = :e", e=entry)[0]
    if category is None:  # split now: unsplit it
        target = w.pick(actor.home, "categories", f"kind = '{kind}'")
        if target is None:
            return None
        change: dict = {"lines": [], "category_id": target}
    else:
        lines = _lines(w, actor, kind, amount)
        if lines is None:
            return None
        change = {"lines": lines, "category_id": None}
    return Step(actor, "PATCH", f"{w.base(actor)}/entries/{entry}", {"json": change}, {200}, label="PATCH lines")


def op_patch_entry(w: World, actor: Actor) -> Step | None:
    entry = w.pick(actor.home, "entries")
    if entry is None:
        return None
    change = w.rng.choice([{"memo": w.name(actor, "memo")}, {"amount": w.rng.randrange(1, 10**6)},
                           {"tags": [w.name(actor, "tag")]}])
    split = w.sql.count("entry_lines", "entry_id = :e", e=entry) > 0
    # A new amount alone no longer matches a split's lines: 422 split_sum_mismatch, nothing changes.
    return Step(actor, "PATCH", f"{w.base(actor)}/entries/{entry}", {"json": change},
                {422} if split and "amount" in change else {200})


def op_delete_entry(w: World, actor: Actor) -> Step | None:
    entry = w.pick(actor.home, "entries")
    if entry is None:
        return None
    return Step(actor, "DELETE", f"{w.base(actor)}/entries/{entry}", {}, {204})


def op_put_budget(w: World, actor: Actor) -> Step:
    expense = w.ids(actor.home, "categories", "kind = 'expense'")
    chosen = w.rng.sample(expense, k=min(len(expense), w.rng.randrange(0, 4)))
    items = [{"category_id": c, "amount": w.rng.randrange(1, 10**6)} for c in chosen]
    return Step(actor, "PUT", f"{w.base(actor)}/budgets/{MONTH}", {"json": {"items": items}}, {200})


def op_import(w: World, actor: Actor) -> Step | None:
    account = w.pick(actor.home, "accounts")
    if account is None:
        return None
    account_name = w.sql.scalar("SELECT name FROM accounts WHERE id = :a", a=account)
    rows = [f"2026-11-{w.rng.randrange(1, 29):02d},expense,{account_name},,{w.name(actor, 'imp')},"
            f"{w.rng.randrange(1, 10**5)},{w.name(actor, 'memo')}," for _ in range(w.rng.randrange(1, 4))]
    data = ("occurred_on,type,account,to_account,category,amount,memo,tags\r\n" + "\r\n".join(rows) + "\r\n")
    return Step(actor, "POST", w.base(actor) + "/entries/import",
                {"data": data.encode(), "content_type": "text/csv; charset=utf-8"}, {200})


def op_read(w: World, actor: Actor) -> Step:
    path = w.rng.choice(["/entries?limit=50", "/accounts", "/categories", f"/budgets/{MONTH}",
                         f"/reports/monthly?month={MONTH}", f"/reports/trend?from=2026-01&to={MONTH}",
                         "/entries/export.csv"])
    entry = w.pick(actor.home, "entries")
    if entry is not None and w.rng.random() < 0.3:
        path = f"/entries/{entry}"
    return Step(actor, "GET", w.base(actor) + path, {}, {200})


def op_foreign_path(w: World, actor: Actor) -> Step | None:
    """Any operation, aimed at the path of a ledger the actor is not a member of: 404."""
    other = w.other(actor)
    inner = w.rng.choice(WORK)(w, actor)
    if inner is None:
        return None
    rest = inner.path.split("/api/v1", 1)[1]
    if rest.startswith("/ledgers/"):
        rest = "/" + rest.split("/", 3)[3]
    return Step(actor, inner.method, f"/api/v1/ledgers/{other}{rest}", inner.kwargs, {404}, foreign=True,
                label="foreign path")


def op_foreign_ids(w: World, actor: Actor) -> Step | None:
    """An id of another ledger in a body or a path of the actor's own ledger: 422 or 404."""
    other = w.other(actor)
    choice = w.rng.randrange(7)
    if choice == 0:
        body = _entry_body(w, actor, actor.home)
        foreign = w.pick(other, "accounts")
        if body is None or foreign is None:
            return None
        body[w.rng.choice(["account_id", "to_account_id"]) if body["type"] == "transfer" else "account_id"] = foreign
        return Step(actor, "POST", w.base(actor) + "/entries", {"json": body}, {422}, True, "foreign account")
    if choice == 1:
        body = _entry_body(w, actor, actor.home)
        if body is None or body["type"] == "transfer":
            return None
        foreign = w.pick(other, "categories", f"kind = '{body['type']}'")
        if foreign is None:
            return None
        body["category_id"] = foreign
        return Step(actor, "POST", w.base(actor) + "/entries", {"json": body}, {422}, True, "foreign category")
    if choice == 5:
        body = _entry_body(w, actor, actor.home)
        if body is None or body["type"] == "transfer":
            return None
        lines = _lines(w, actor, body["type"], body["amount"])
        foreign = w.pick(other, "categories", f"kind = '{body['type']}'")
        if lines is None or foreign is None:
            return None
        lines[-1]["category_id"] = foreign
        del body["category_id"]
        body["lines"] = lines
        return Step(actor, "POST", w.base(actor) + "/entries", {"json": body}, {422}, True, "foreign line category")
    if choice == 2:
        foreign = w.pick(other, "categories", "kind = 'expense'")
        if foreign is None:
            return None
        return Step(actor, "PUT", f"{w.base(actor)}/budgets/{MONTH}",
                    {"json": {"items": [{"category_id": foreign, "amount": 1}]}}, {422}, True, "foreign budget")
    if choice == 3:
        entry, foreign = w.pick(actor.home, "entries"), w.pick(other, "accounts")
        if entry is None or foreign is None:
            return None
        return Step(actor, "PATCH", f"{w.base(actor)}/entries/{entry}", {"json": {"account_id": foreign}},
                    {422}, True, "foreign patch")
    if choice == 4:
        category = w.pick(actor.home, "categories", "kind = 'expense' AND parent_id IS NOT NULL")
        category = category or w.pick(actor.home, "categories", "kind = 'expense'")
        foreign = w.pick(other, "categories", "kind = 'expense'")
        if category is None or foreign is None:
            return None
        # 409 when the category still has children (checked first); never a move to the other ledger
        return Step(actor, "DELETE", f"{w.base(actor)}/categories/{category}?reassign_to={foreign}", {},
                    {409, 422}, True, "foreign reassign_to")
    table = w.rng.choice(RESOURCES)
    foreign = w.pick(other, table)
    if foreign is None:
        return None
    method = w.rng.choice(["GET", "DELETE"])
    return Step(actor, method, f"{w.base(actor)}/{table}/{foreign}", {}, {404}, True, "foreign id")


def op_role_of_b(w: World, actor: Actor) -> Step | None:
    if actor is not w.a:
        return None
    role = w.rng.choice(["editor", "viewer"])
    return Step(actor, "PATCH", f"/api/v1/ledgers/{w.shared}/members/{w.b.person.id}", {"json": {"role": role}},
                {200}, label=f"role {role}")


def op_invite(w: World, actor: Actor) -> Step | None:
    """An owner invites to their own ledger (and revokes it right away, half the time)."""
    if actor.role != "owner":
        return None
    return Step(actor, "POST", f"/api/v1/ledgers/{actor.home}/invites",
                {"json": {"role": w.rng.choice(["editor", "viewer"])}}, {201}, label="invite")


def op_revoked_invite(w: World, actor: Actor) -> Step | None:
    """Someone outside tries an invitation of the other side that was revoked: 410, nothing changes."""
    token = w.revoked.get(w.other(actor))
    if token is None:
        return None
    return Step(actor, "POST", f"/api/v1/invites/{token}/accept", {}, {410}, True, "revoked invite")


WORK = [op_create_account, op_patch_account, op_delete_account, op_create_category, op_patch_category,
        op_delete_category, op_create_entry, op_create_entry, op_create_entry, op_patch_entry, op_delete_entry,
        op_put_budget, op_import, op_read, op_read, op_create_split, op_patch_lines]
OPERATIONS = WORK * 2 + [op_foreign_path, op_foreign_path, op_foreign_ids, op_foreign_ids, op_role_of_b, op_invite,
                         op_revoked_invite]


# --- the oracle -------------------------------------------------------------------------------------------------
def _ids_in(value, resource: str | None, found: list[tuple[str, int]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ID_KEYS and isinstance(item, int):
                found.append((ID_KEYS[key], item))
            elif key == "id" and resource is not None and isinstance(item, int):
                found.append((resource, item))
            else:
                _ids_in(item, resource, found)
    elif isinstance(value, list):
        for item in value:
            _ids_in(item, resource, found)


def _resource_of(path: str) -> str | None:
    rest = path.split("?")[0].split("/api/v1/", 1)[1]
    if rest.startswith("ledgers/"):
        parts = rest.split("/")
        rest = "/".join(parts[2:])
    first = rest.split("/")[0]
    return first if first in RESOURCES else None


def check_report(report: dict) -> None:
    """A monthly report counts each split line once: its top-level categories add up to income and expense."""
    for kind, total in (("income", report["income"]), ("expense", report["expense"])):
        assert sum(row["total"] for row in report["by_category"]
                   if row["kind"] == kind and row["parent_id"] is None) == total, report


def check_answer(w: World, step: Step, response) -> None:
    text = response.get_data(as_text=True)
    if "/reports/monthly" in step.path and response.status_code == 200:
        check_report(response.get_json())
    others = {"sharedmark", "ownmark"} - {step.actor.marker}
    for marker in others:
        assert marker not in text, (step, text)
    if not text or response.mimetype != "application/json" or step.path.startswith("/api/v1/invites"):
        return
    found: list[tuple[str, int]] = []
    _ids_in(json.loads(text), _resource_of(step.path), found)
    mine = {w.own_c} if step.actor is w.c else {w.shared, w.own_b}
    for table, row_id in found:
        assert any(row_id in w.ever[ledger][table] for ledger in mine), (step, table, row_id, text)


def check_database(w: World) -> None:
    sql = w.sql
    crossing = {
        "entry account": "entries e JOIN accounts a ON a.id = e.account_id WHERE a.ledger_id <> e.ledger_id",
        "entry to_account": "entries e JOIN accounts a ON a.id = e.to_account_id WHERE a.ledger_id <> e.ledger_id",
        "entry category": "entries e JOIN categories c ON c.id = e.category_id WHERE c.ledger_id <> e.ledger_id",
        "line category": "entry_lines l JOIN categories c ON c.id = l.category_id WHERE c.ledger_id <> l.ledger_id",
        "line entry": "entry_lines l JOIN entries e ON e.id = l.entry_id WHERE e.ledger_id <> l.ledger_id",
        # The split oracle: lines add up to their entry, a split entry has no category, a transfer no lines.
        "split sum": "entries e WHERE EXISTS (SELECT 1 FROM entry_lines l WHERE l.entry_id = e.id) AND e.amount <> "
                     "(SELECT SUM(l.amount) FROM entry_lines l WHERE l.entry_id = e.id)",
        "split shape": "entries e JOIN entry_lines l ON l.entry_id = e.id WHERE e.category_id IS NOT NULL "
                       "OR e.type = 'transfer'",
        "budget category": "budgets b JOIN categories c ON c.id = b.category_id WHERE c.ledger_id <> b.ledger_id",
        "category parent": "categories c JOIN categories p ON p.id = c.parent_id WHERE p.ledger_id <> c.ledger_id",
        "idempotency key": f"idempotency_keys k WHERE (k.ledger_id = {w.own_c} AND k.user_id <> {w.c.person.id}) "
                           f"OR (k.ledger_id = {w.shared} AND k.user_id = {w.c.person.id})",
    }
    for what, query in crossing.items():
        assert sql.scalar(f"SELECT COUNT(*) FROM {query}") == 0, what
    # C is a member of their own ledger only; A and B of theirs (B's personal one untouched, see the steps).
    assert sql.rows("SELECT ledger_id FROM ledger_members WHERE user_id = :u", u=w.c.person.id) == [(w.own_c,)]
    assert sql.count("ledger_members", "ledger_id = :l", l=w.own_c) == 1


def run(w: World, steps: int) -> dict:
    allowed = {w.a: {w.shared}, w.b: {w.shared}, w.c: {w.own_c}}  # the ledgers each may change
    everything = (w.shared, w.own_b, w.own_c)
    w.remember()
    for number in range(steps):
        actor = w.rng.choice([w.a, w.b, w.c])
        step = w.rng.choice(OPERATIONS)(w, actor)
        if step is None:
            continue
        if actor is w.b and w.b.role == "viewer" and step.method in WRITES \
                and step.path.startswith(f"/api/v1/ledgers/{w.shared}/"):
            step.expect = {403}  # the role is checked before the body
        before = {ledger: snapshot(w.sql, ledger) for ledger in everything}

        response = w.client.open(step.path, method=step.method, headers={
            **step.actor.person.headers, **step.kwargs.get("headers", {})},
            **{k: v for k, v in step.kwargs.items() if k != "headers"})

        assert response.status_code in step.expect, (number, step, response.get_data(as_text=True))
        w.answered.setdefault(step.label or f"{step.method} {_resource_of(step.path)}", []).append(
            response.status_code)
        after = {ledger: snapshot(w.sql, ledger) for ledger in everything}
        w.remember()
        for ledger in everything:
            if step.foreign or ledger not in allowed[actor] or response.status_code >= 400:
                assert after[ledger] == before[ledger], (number, step, ledger)
        check_answer(w, step, response)
        check_database(w)
        if step.label.startswith("role") and response.status_code == 200:
            w.b.role = step.label.split()[1]
        if step.label == "invite" and response.status_code == 201 and w.rng.random() < 0.5:
            invite = response.get_json()
            assert w.client.delete(f"/api/v1/ledgers/{actor.home}/invites/{invite['id']}",
                                   headers=actor.person.headers).status_code == 204
            w.revoked[actor.home] = invite["token"]
    return w.answered


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_random_operations_never_cross_ledgers(client, sql, household, seed):
    a, b, c = household.owner, household.editor, household.outsider
    world = World(client, sql, household.ledger_id, b.user.ledger_id, c.user.ledger_id,
                  Actor("A", a, household.ledger_id, "sharedmark"),
                  Actor("B", b, household.ledger_id, "sharedmark", role="editor"),
                  Actor("C", c, c.user.ledger_id, "ownmark"), random.Random(seed))

    answered = run(world, STEPS)

    # The run did real work on both sides, and the hostile steps were tried: the oracle had something to see.
    created = [s for label, statuses in answered.items() if label.startswith("POST") for s in statuses]
    assert created.count(201) >= 10, answered
    assert sql.count("entries", "ledger_id = :l", l=world.shared) + sql.count("entries", "ledger_id = :l",
                                                                              l=world.own_c) >= 5
    hostile = sum(len(answered.get(label, [])) for label in (
        "foreign path", "foreign account", "foreign category", "foreign budget", "foreign patch",
        "foreign reassign_to", "foreign id", "foreign line category"))
    assert hostile >= 5, answered
    assert answered.get("POST split", []).count(201) >= 2, answered


def test_the_oracle_sees_a_row_that_crosses_ledgers(client, sql, household, make_entry):
    """The oracle itself can fail: an entry of C's ledger pointed (behind the API's back) at a shared account."""
    a, b, c = household.owner, household.editor, household.outsider
    world = World(client, sql, household.ledger_id, b.user.ledger_id, c.user.ledger_id,
                  Actor("A", a, household.ledger_id, "sharedmark"), Actor("B", b, household.ledger_id, "sharedmark"),
                  Actor("C", c, c.user.ledger_id, "ownmark"), random.Random(0))
    own, shared = world.ids(world.own_c, "accounts")[0], world.ids(world.shared, "accounts")[0]
    entry = make_entry(c.user, account_id=own, type="income",
                       category_id=world.ids(world.own_c, "categories", "kind = 'income'")[0])
    check_database(world)

    sql.execute("UPDATE entries SET account_id = :a WHERE id = :e", a=shared, e=entry)

    with pytest.raises(AssertionError, match="entry account"):
        check_database(world)


def test_the_oracle_sees_a_split_that_does_not_add_up(client, sql, household):
    """The split oracle can fail too: a line changed behind the API's back."""
    a, b, c = household.owner, household.editor, household.outsider
    world = World(client, sql, household.ledger_id, b.user.ledger_id, c.user.ledger_id,
                  Actor("A", a, household.ledger_id, "sharedmark"), Actor("B", b, household.ledger_id, "sharedmark"),
                  Actor("C", c, c.user.ledger_id, "ownmark"), random.Random(0))
    categories = world.ids(world.shared, "categories", "kind = 'expense'")
    body = {"type": "expense", "amount": 300, "occurred_on": "2026-11-02", "account_id": world.ids(world.shared,
                                                                                                    "accounts")[0],
            "lines": [{"amount": 100, "category_id": categories[0]}, {"amount": 200, "category_id": categories[1]}]}
    response = client.post(f"/api/v1/ledgers/{world.shared}/entries", json=body, headers=a.headers)
    assert response.status_code == 201, response.get_json()
    check_database(world)

    sql.execute("UPDATE entry_lines SET amount = 150 WHERE position = 0")

    with pytest.raises(AssertionError, match="split sum"):
        check_database(world)
