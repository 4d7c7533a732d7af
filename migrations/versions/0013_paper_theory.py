"""theory on paper (书面笔答, 3-01-04-03 1.9.2): exam_sessions.theory_mode, session_rooms.room_type
(1.9.5 标准教室 / 计算机机房), the append-only paper_score_entries (scores typed twice) and
staffing_exceptions (a written reason for going on below 1.9.3's staffing)

The trigger statements are written out here, as in 0009, so that this migration stays what it was.

Revision ID: 0013_paper_theory
Revises: 0012_training
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


revision = '0013_paper_theory'
down_revision = '0012_training'
branch_labels = None
depends_on = None

APPEND_ONLY = ('paper_score_entries', 'staffing_exceptions')

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
    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theory_mode', sa.Enum('machine', 'paper', name='theorymode', native_enum=False, length=10), server_default='machine', nullable=False))
    with op.batch_alter_table('session_rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room_type', sa.Enum('classroom', 'computer_lab', name='roomtype', native_enum=False, length=20), nullable=True))

    op.create_table('paper_score_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(), nullable=False),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= 100)', name=op.f('ck_paper_score_entries_score_range')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['session_candidates.id'], name=op.f('fk_paper_score_entries_enrollment_id_session_candidates')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_paper_score_entries_entered_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_paper_score_entries_session_id_exam_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_score_entries')),
    sa.UniqueConstraint('enrollment_id', 'entered_by_id', name='uq_paper_score_entries_enrollment_person')
    )
    with op.batch_alter_table('paper_score_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_score_entries_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paper_score_entries_session_id'), ['session_id'], unique=False)

    op.create_table('staffing_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_staffing_exceptions_actor_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_staffing_exceptions_session_id_exam_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staffing_exceptions'))
    )
    with op.batch_alter_table('staffing_exceptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staffing_exceptions_session_id'), ['session_id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(PG_FUNCTION)
    for table in APPEND_ONLY:
        _create_triggers(table, dialect)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        _drop_triggers(table, dialect)
    with op.batch_alter_table('staffing_exceptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staffing_exceptions_session_id'))
    op.drop_table('staffing_exceptions')
    with op.batch_alter_table('paper_score_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_score_entries_session_id'))
        batch_op.drop_index(batch_op.f('ix_paper_score_entries_enrollment_id'))
    op.drop_table('paper_score_entries')
    with op.batch_alter_table('session_rooms', schema=None) as batch_op:
        batch_op.drop_column('room_type')
    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        batch_op.drop_column('theory_mode')
