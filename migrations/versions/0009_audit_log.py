"""audit log (审计日志), append-only; database triggers refusing UPDATE/DELETE on it and on the two
older append-only records (score_records, difficulty_writebacks)

The trigger statements are written out here (not imported from app.append_only) so that this
migration stays what it was when the code moves on; app.append_only writes the same ones for
metadata.create_all(). Note for later migrations: SQLite's batch_alter_table copies a table and so
drops its triggers; a migration that batch-alters one of these tables must create them again.

Revision ID: 0009_audit_log
Revises: 0008_merge_heads
Create Date: 2026-12-02 01:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


revision = '0009_audit_log'
down_revision = '0008_merge_heads'
branch_labels = None
depends_on = None

APPEND_ONLY = ('audit_entries', 'score_records', 'difficulty_writebacks')

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def _create_triggers(table: str, dialect: str) -> None:
    if dialect == 'sqlite':
        for operation in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {operation} refused'); END"
            )
    elif dialect == 'postgresql':
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
        )


def _drop_triggers(table: str, dialect: str) -> None:
    if dialect == 'sqlite':
        for operation in ('update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
    elif dialect == 'postgresql':
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.timeutil.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('client_ip', sa.String(length=64), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_audit_entries_center_id_centers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_entries_center_at', ['center_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entries_subject', ['subject_type', 'subject_id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(PG_FUNCTION)
    for table in APPEND_ONLY:
        _create_triggers(table, dialect)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        _drop_triggers(table, dialect)
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS refuse_append_only_change()")
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_subject')
        batch_op.drop_index('ix_audit_entries_center_at')
        batch_op.drop_index(batch_op.f('ix_audit_entries_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))
    op.drop_table('audit_entries')
