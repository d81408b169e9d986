"""schedules: recurring entries (schedules, schedule_skips), entries.schedule_id/scheduled_on, ledgers.timezone

Revision ID: 0006_schedules
Revises: 0005_shared_ledgers
Create Date: 2026-12-04 19:00:00

UNIQUE(schedule_id, scheduled_on) on entries makes posting an occurrence idempotent at the database: two
runs, two tabs or two servers cannot post one occurrence twice.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_schedules'
down_revision = '0005_shared_ledgers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ledgers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default=sa.text("'Asia/Seoul'"),
                                      nullable=False))
    op.create_table(
        'schedules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ledger_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('mode', sa.String(length=6), nullable=False),
        sa.Column('template', sa.JSON(), nullable=False),
        sa.Column('freq', sa.String(length=7), nullable=False),
        sa.Column('interval_', sa.SmallInteger(), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('weekdays', sa.String(length=13), server_default=sa.text("''"), nullable=False),
        sa.Column('month_day', sa.SmallInteger(), nullable=True),
        sa.Column('last_day', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('week_of_month', sa.SmallInteger(), nullable=True),
        sa.Column('weekday', sa.SmallInteger(), nullable=True),
        sa.Column('until_on', sa.Date(), nullable=True),
        sa.Column('count', sa.Integer(), nullable=True),
        sa.Column('weekend', sa.String(length=6), server_default=sa.text("'as_is'"), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('next_nominal_on', sa.Date(), nullable=True),
        sa.Column('next_due_on', sa.Date(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('auto', 'remind')", name=op.f('ck_schedules_mode')),
        sa.CheckConstraint("freq IN ('daily', 'weekly', 'monthly', 'yearly')", name=op.f('ck_schedules_freq')),
        sa.CheckConstraint("weekend IN ('as_is', 'skip', 'before', 'after')", name=op.f('ck_schedules_weekend')),
        sa.CheckConstraint('interval_ >= 1', name=op.f('ck_schedules_interval_positive')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_schedules_created_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_schedules_ledger_id_ledgers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_schedules')),
    )
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedules_ledger_id'), ['ledger_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedules_next_due_on'), ['next_due_on'], unique=False)
    op.create_table(
        'schedule_skips',
        sa.Column('schedule_id', sa.Integer(), nullable=False),
        sa.Column('nominal_on', sa.Date(), nullable=False),
        sa.Column('ledger_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_schedule_skips_ledger_id_ledgers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['schedule_id'], ['schedules.id'],
                                name=op.f('fk_schedule_skips_schedule_id_schedules'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('schedule_id', 'nominal_on', name=op.f('pk_schedule_skips')),
    )
    with op.batch_alter_table('schedule_skips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_skips_ledger_id'), ['ledger_id'], unique=False)
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scheduled_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_entries_schedule_id_schedules'), 'schedules', ['schedule_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_unique_constraint('uq_entries_schedule_id_scheduled_on', ['schedule_id', 'scheduled_on'])


def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_constraint('uq_entries_schedule_id_scheduled_on', type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_entries_schedule_id_schedules'), type_='foreignkey')
        batch_op.drop_column('scheduled_on')
        batch_op.drop_column('schedule_id')
    with op.batch_alter_table('schedule_skips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_skips_ledger_id'))
    op.drop_table('schedule_skips')
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedules_next_due_on'))
        batch_op.drop_index(batch_op.f('ix_schedules_ledger_id'))
    op.drop_table('schedules')
    with op.batch_alter_table('ledgers', schema=None) as batch_op:
        batch_op.drop_column('timezone')
