"""`flask ledgers list|show|add-member|remove-member`: the API's services, one-line errors."""
import json

from tests.auth.test_cli import assert_one_line_error


def test_list_shows_every_ledger_with_its_member_count(runner, household, sql):
    result = runner.invoke(args=["ledgers", "list", "--json"])

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [r.id for r in sql.rows("SELECT id FROM ledgers ORDER BY id")]
    shared = next(r for r in rows if r["id"] == household.ledger_id)
    assert (shared["name"], shared["currency"], shared["members"]) == ("Ann's ledger", "KRW", 3)


def test_list_prints_one_line_per_ledger(runner, household):
    result = runner.invoke(args=["ledgers", "list"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 4  # the household's, and the personal ledgers of the editor, the viewer, the outsider
    assert any(line.startswith(f"{household.ledger_id}\tKRW\t3 members\t") and line.endswith("\tAnn's ledger")
               for line in lines), lines


def test_show_lists_the_members_and_their_roles(runner, household):
    result = runner.invoke(args=["ledgers", "show", str(household.ledger_id)])

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"id: {household.ledger_id}\nname: Ann's ledger\ncurrency: KRW\nmonth_start_day: 1\n" in out
    assert "members: 3\n" in out
    for person, role in ((household.owner, "owner"), (household.editor, "editor"), (household.viewer, "viewer")):
        assert f"  {person.id}\t{role}\t{person.user.email}\tjoined " in out


def test_show_of_an_unknown_ledger_is_a_one_line_error(runner):
    assert_one_line_error(runner.invoke(args=["ledgers", "show", "999"]), "No ledger 999")


def test_add_member_gives_the_user_access_on_their_next_request(runner, household, client, sql):
    outsider = household.outsider
    assert client.get(household.path("/entries"), headers=outsider.headers).status_code == 404

    result = runner.invoke(args=["ledgers", "add-member", str(household.ledger_id), outsider.user.email,
                                 "--role", "viewer"])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{outsider.user.email} added to ledger {household.ledger_id} as viewer\n"
    assert sql.scalar("SELECT role FROM ledger_members WHERE ledger_id = :l AND user_id = :u",
                      l=household.ledger_id, u=outsider.id) == "viewer"
    assert client.get(household.path("/entries"), headers=outsider.headers).status_code == 200
    assert client.post(household.path("/accounts"), headers=outsider.headers,
                       json={"name": "Nope", "type": "bank"}).status_code == 403


def test_add_member_defaults_to_editor(runner, household, sql):
    result = runner.invoke(args=["ledgers", "add-member", str(household.ledger_id), household.outsider.user.email])

    assert result.exit_code == 0, result.output
    assert sql.scalar("SELECT role FROM ledger_members WHERE ledger_id = :l AND user_id = :u",
                      l=household.ledger_id, u=household.outsider.id) == "editor"


def test_add_member_twice_is_a_one_line_error_and_keeps_the_role(runner, household, sql):
    result = runner.invoke(args=["ledgers", "add-member", str(household.ledger_id), household.viewer.user.email,
                                 "--role", "owner"])

    assert_one_line_error(result, "already a member")
    assert sql.scalar("SELECT role FROM ledger_members WHERE ledger_id = :l AND user_id = :u",
                      l=household.ledger_id, u=household.viewer.id) == "viewer"


def test_add_member_errors(runner, household, sql):
    before = sql.count("ledger_members")
    assert_one_line_error(runner.invoke(args=["ledgers", "add-member", "999", household.outsider.user.email]),
                          "No ledger 999")
    assert_one_line_error(runner.invoke(args=["ledgers", "add-member", str(household.ledger_id),
                                              "nobody@example.com"]), "nobody@example.com")
    assert sql.count("ledger_members") == before


def test_add_member_refuses_an_unknown_role(runner, household, sql):
    result = runner.invoke(args=["ledgers", "add-member", str(household.ledger_id), household.outsider.user.email,
                                 "--role", "admin"])

    assert result.exit_code == 2 and "admin" in result.stderr  # click's usage error
    assert sql.count("ledger_members", "user_id = :u", u=household.outsider.id) == 1


def test_remove_member_refuses_the_very_next_request(runner, household, client, sql):
    editor = household.editor
    assert client.get(household.path("/entries"), headers=editor.headers).status_code == 200

    result = runner.invoke(args=["ledgers", "remove-member", str(household.ledger_id), editor.user.email])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{editor.user.email} removed from ledger {household.ledger_id}\n"
    assert sql.count("ledger_members", "ledger_id = :l AND user_id = :u", l=household.ledger_id, u=editor.id) == 0
    assert client.get(household.path("/entries"), headers=editor.headers).status_code == 404


def test_remove_member_whose_default_it_was_gives_them_another(runner, household, sql, client):
    outsider = household.outsider
    runner.invoke(args=["ledgers", "add-member", str(household.ledger_id), outsider.user.email])
    assert client.patch("/api/v1/me", headers=outsider.headers,
                        json={"default_ledger_id": household.ledger_id}).status_code == 200

    result = runner.invoke(args=["ledgers", "remove-member", str(household.ledger_id), outsider.user.email])

    assert result.exit_code == 0, result.output
    assert sql.scalar("SELECT default_ledger_id FROM users WHERE id = :u", u=outsider.id) == outsider.user.ledger_id


def test_remove_the_last_owner_is_refused(runner, household, sql):
    owner = household.owner

    result = runner.invoke(args=["ledgers", "remove-member", str(household.ledger_id), owner.user.email])

    assert_one_line_error(result, "at least one owner")
    assert sql.scalar("SELECT role FROM ledger_members WHERE ledger_id = :l AND user_id = :u",
                      l=household.ledger_id, u=owner.id) == "owner"


def test_remove_an_owner_when_another_owner_remains(runner, household, sql):
    runner.invoke(args=["ledgers", "remove-member", str(household.ledger_id), household.editor.user.email])
    runner.invoke(args=["ledgers", "add-member", str(household.ledger_id), household.editor.user.email,
                        "--role", "owner"])

    result = runner.invoke(args=["ledgers", "remove-member", str(household.ledger_id), household.owner.user.email])

    assert result.exit_code == 0, result.output
    assert [tuple(r) for r in sql.rows("SELECT user_id, role FROM ledger_members WHERE ledger_id = :l "
                                       "ORDER BY user_id", l=household.ledger_id)] \
        == [(household.editor.id, "owner"), (household.viewer.id, "viewer")]


def test_remove_member_errors(runner, household, sql):
    before = sql.count("ledger_members")
    assert_one_line_error(runner.invoke(args=["ledgers", "remove-member", "999", household.owner.user.email]),
                          "No ledger 999")
    assert_one_line_error(runner.invoke(args=["ledgers", "remove-member", str(household.ledger_id),
                                              household.outsider.user.email]), "No such member")
    assert sql.count("ledger_members") == before
