"""shared ledgers: ledgers, ledger_members, ledger_invites; every ledger table scoped by ledger_id

Revision ID: 0005_shared_ledgers
Revises: 0004_entries_trend_index
Create Date: 2026-12-04 15:10:00

Each existing user gets one personal ledger holding all of their data, with them as its owner and as their
default ledger. The personal ledger takes the user's id as its own id (the ledgers table is new, so every id
is free), which moves the data by copying a column: `ledger_id = user_id`. The user's currency and
month_start_day move to that ledger. Entries gain created_by/updated_by (the user who owned them).

Idempotency keys stay per user and become per ledger too: (ledger_id, user_id, key).

SQLite rebuilds a table to drop a column or a constraint; migrations/env.py turns foreign keys off around the
migration so that dropping the old `users` table cannot cascade into its children, and checks them after.

Downgrade gives each ledger's data back to its lowest-id owner; it refuses (and changes nothing) when a user
owns more than one ledger or a ledger has no owner, since the previous schema cannot hold that.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_shared_ledgers'
down_revision = '0004_entries_trend_index'
branch_labels = None
depends_on = None

# (table, its old unique constraint or None, the new one's name and columns, or None)
_SCOPED = [
    ('accounts', 'uq_accounts_user_id_name', ('uq_accounts_ledger_id_name', ['ledger_id', 'name'])),
    ('categories', 'uq_categories_user_kind_parent_name',
     ('uq_categories_ledger_kind_parent_name', ['ledger_id', 'kind', 'parent_key', 'name'])),
    ('budgets', 'uq_budgets_user_month_category',
     ('uq_budgets_ledger_month_category', ['ledger_id', 'month', 'category_id'])),
    ('entries', None, None),
    ('idempotency_keys', 'uq_idempotency_keys_user_id_key',
     ('uq_idempotency_keys_ledger_user_key', ['ledger_id', 'user_id', 'key'])),
]
# Plain indexes on user_id, replaced by the same on ledger_id.
_USER_INDEXES = {
    'accounts': [('ix_accounts_user_id', ['user_id'])],
    'categories': [('ix_categories_user_id', ['user_id'])],
    'entries': [('ix_entries_user_id_occurred_on_id', ['user_id', 'occurred_on', 'id']),
                ('ix_entries_user_id_occurred_on_type_amount', ['user_id', 'occurred_on', 'type', 'amount'])],
}


def _ledger_index(name: str) -> str:
    return name.replace('user_id', 'ledger_id')


def upgrade():
    op.create_table(
        'ledgers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('month_start_day', sa.SmallInteger(), server_default=sa.text('1'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledgers')),
    )
    op.create_table(
        'ledger_members',
        sa.Column('ledger_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'editor', 'viewer')", name=op.f('ck_ledger_members_role')),
        sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_ledger_members_ledger_id_ledgers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ledger_members_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('ledger_id', 'user_id', name=op.f('pk_ledger_members')),
    )
    op.create_index('ix_ledger_members_user_id', 'ledger_members', ['user_id'], unique=False)
    op.create_table(
        'ledger_invites',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ledger_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('used_by', sa.Integer(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('owner', 'editor', 'viewer')", name=op.f('ck_ledger_invites_role')),
        sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_ledger_invites_ledger_id_ledgers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_ledger_invites_created_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['used_by'], ['users.id'], name=op.f('fk_ledger_invites_used_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_invites')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_ledger_invites_token_hash')),
    )
    op.create_index('ix_ledger_invites_ledger_id', 'ledger_invites', ['ledger_id'], unique=False)

    # One personal ledger per user, with the user's id, the user's currency and payday month, named as
    # registration names one: in Korean when the user's cash account was provisioned in Korean (현금).
    korean = "EXISTS (SELECT 1 FROM accounts a WHERE a.user_id = users.id AND a.name = '현금')"
    op.execute("INSERT INTO ledgers (id, name, currency, month_start_day, created_at, updated_at) "
               f"SELECT id, SUBSTR(CASE WHEN {korean} THEN display_name || '의 가계부' "
               "ELSE display_name || '''s ledger' END, 1, 100), currency, month_start_day, created_at, "
               "created_at FROM users")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('ledgers', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM ledgers), 0) + 1, false)")
    op.execute("INSERT INTO ledger_members (ledger_id, user_id, role, joined_at) "
               "SELECT id, id, 'owner', created_at FROM users")

    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('default_ledger_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('membership_version', sa.Integer(), server_default=sa.text('0'),
                                      nullable=False))
        batch_op.create_foreign_key(op.f('fk_users_default_ledger_id_ledgers'), 'ledgers', ['default_ledger_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.drop_column('currency')
        batch_op.drop_column('month_start_day')
    op.execute("UPDATE users SET default_ledger_id = id")

    for table, old_unique, new_unique in _SCOPED:
        op.add_column(table, sa.Column('ledger_id', sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET ledger_id = user_id")
        if table == 'entries':
            op.add_column(table, sa.Column('created_by', sa.Integer(), nullable=True))
            op.add_column(table, sa.Column('updated_by', sa.Integer(), nullable=True))
            op.execute("UPDATE entries SET created_by = user_id, updated_by = user_id")
        for name, _ in _USER_INDEXES.get(table, []):
            op.drop_index(name, table_name=table)
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('ledger_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(op.f(f'fk_{table}_ledger_id_ledgers'), 'ledgers', ['ledger_id'], ['id'],
                                        ondelete='CASCADE')
            if old_unique:
                batch_op.drop_constraint(old_unique, type_='unique')
            if new_unique:
                batch_op.create_unique_constraint(*new_unique)
            if table == 'entries':
                batch_op.create_foreign_key(op.f('fk_entries_created_by_users'), 'users', ['created_by'], ['id'],
                                            ondelete='SET NULL')
                batch_op.create_foreign_key(op.f('fk_entries_updated_by_users'), 'users', ['updated_by'], ['id'],
                                            ondelete='SET NULL')
            if table != 'idempotency_keys':
                batch_op.drop_constraint(f'fk_{table}_user_id_users', type_='foreignkey')
                batch_op.drop_column('user_id')
        for name, columns in _USER_INDEXES.get(table, []):
            op.create_index(_ledger_index(name), table,
                            [('ledger_id' if c == 'user_id' else c) for c in columns], unique=False)


def downgrade():
    bind = op.get_bind()
    # The previous schema has one owner per ledger and one ledger per user.
    shared = bind.execute(sa.text(
        "SELECT COUNT(*) FROM ledgers l WHERE (SELECT COUNT(*) FROM ledger_members m "
        "WHERE m.ledger_id = l.id AND m.role = 'owner') = 0")).scalar()
    several = bind.execute(sa.text(
        "SELECT COUNT(*) FROM (SELECT user_id FROM ledger_members WHERE role = 'owner' "
        "GROUP BY user_id HAVING COUNT(*) > 1) AS t")).scalar()
    if shared or several:
        raise RuntimeError("cannot downgrade: some user owns several ledgers or a ledger has no owner; the "
                           "previous schema keeps one ledger per user")
    owner = "(SELECT MIN(m.user_id) FROM ledger_members m WHERE m.ledger_id = {t}.ledger_id AND m.role = 'owner')"

    for table, old_unique, new_unique in reversed(_SCOPED):
        for name, _ in _USER_INDEXES.get(table, []):
            op.drop_index(_ledger_index(name), table_name=table)
        if table != 'idempotency_keys':
            op.add_column(table, sa.Column('user_id', sa.Integer(), nullable=True))
            op.execute(f"UPDATE {table} SET user_id = {owner.format(t=table)}")
        with op.batch_alter_table(table) as batch_op:
            if table != 'idempotency_keys':
                batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
                batch_op.create_foreign_key(f'fk_{table}_user_id_users', 'users', ['user_id'], ['id'],
                                            ondelete='CASCADE')
            if table == 'entries':
                batch_op.drop_constraint('fk_entries_created_by_users', type_='foreignkey')
                batch_op.drop_constraint('fk_entries_updated_by_users', type_='foreignkey')
                batch_op.drop_column('created_by')
                batch_op.drop_column('updated_by')
            if new_unique:
                batch_op.drop_constraint(new_unique[0], type_='unique')
            if old_unique:
                columns = ['user_id'] + [c for c in new_unique[1] if c not in ('ledger_id', 'user_id')]
                batch_op.create_unique_constraint(old_unique, columns)
            batch_op.drop_constraint(f'fk_{table}_ledger_id_ledgers', type_='foreignkey')
            batch_op.drop_column('ledger_id')
        for name, columns in _USER_INDEXES.get(table, []):
            op.create_index(name, table, columns, unique=False)

    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('currency', sa.String(length=3), server_default='KRW', nullable=False))
        batch_op.add_column(sa.Column('month_start_day', sa.SmallInteger(), server_default=sa.text('1'),
                                      nullable=False))
    op.execute("UPDATE users SET currency = COALESCE((SELECT l.currency FROM ledgers l "
               "WHERE l.id = users.default_ledger_id), 'KRW'), "
               "month_start_day = COALESCE((SELECT l.month_start_day FROM ledgers l "
               "WHERE l.id = users.default_ledger_id), 1)")
    with op.batch_alter_table('users') as batch_op:
        batch_op.alter_column('currency', existing_type=sa.String(length=3), server_default=None)
        batch_op.drop_constraint('fk_users_default_ledger_id_ledgers', type_='foreignkey')
        batch_op.drop_column('default_ledger_id')
        batch_op.drop_column('membership_version')

    op.drop_index('ix_ledger_invites_ledger_id', table_name='ledger_invites')
    op.drop_table('ledger_invites')
    op.drop_index('ix_ledger_members_user_id', table_name='ledger_members')
    op.drop_table('ledger_members')
    op.drop_table('ledgers')
