"""The migrations produce exactly the models' schema, on SQLite and on PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from ledger import create_app
from ledger.extensions import db


def test_migrated_database_matches_the_models(app):
    # The test database was built by `upgrade()` alone (tests/conftest.py), never by create_all.
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)

    assert differences == []


def test_migrated_database_is_at_the_head_revision(app):
    migrate = app.extensions["migrate"]
    with app.app_context(), db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        heads = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory)).get_heads()

    assert set(current) == set(heads)


def test_migrations_downgrade_to_nothing_and_upgrade_again(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'roundtrip.db'}")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()
