"""assessment components: one row per (session, component) replaces three minutes columns

The three columns exam_sessions.theory_minutes / practical_minutes / review_minutes become rows of
session_components (the component's key and its planned minutes), so that a new component is a
registry entry (app/assessment) and not a new column. Every session gets a row for each minutes
value it held; downgrade copies them back. The API's session body keeps the three fields.

Revision ID: 0005_assessment_components
Revises: 0004_sessions_exams
Create Date: 2026-12-01 22:10:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


# revision identifiers, used by Alembic.
revision = '0005_assessment_components'
down_revision = '0004_sessions_exams'
branch_labels = None
depends_on = None

COMPONENTS = ('theory', 'practical', 'review')


def upgrade():
    op.create_table('session_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('submissions_due', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('minutes IS NULL OR minutes > 0', name=op.f('ck_session_components_minutes_positive')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_session_components_session_id_exam_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_components')),
    sa.UniqueConstraint('session_id', 'component', name='uq_session_components_session_component')
    )
    with op.batch_alter_table('session_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_components_session_id'), ['session_id'], unique=False)

    # Data: a row for every component whose minutes column was set, and always one for theory
    # (every level has 理论知识考试 and its window needs its length).
    for component in COMPONENTS:
        condition = '' if component == 'theory' else f' WHERE {component}_minutes IS NOT NULL'
        op.execute(
            f"INSERT INTO session_components (session_id, component, minutes) "
            f"SELECT id, '{component}', {component}_minutes FROM exam_sessions{condition}"
        )

    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        for component in COMPONENTS:
            batch_op.drop_constraint(batch_op.f(f'ck_exam_sessions_{component}_minutes_positive'), type_='check')
            batch_op.drop_column(f'{component}_minutes')


def downgrade():
    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        for component in COMPONENTS:
            batch_op.add_column(sa.Column(f'{component}_minutes', sa.Integer(), nullable=True))
            batch_op.create_check_constraint(
                f'{component}_minutes_positive', f'{component}_minutes IS NULL OR {component}_minutes > 0'
            )
    for component in COMPONENTS:
        op.execute(
            f"UPDATE exam_sessions SET {component}_minutes = (SELECT minutes FROM session_components "
            f"WHERE session_components.session_id = exam_sessions.id "
            f"AND session_components.component = '{component}')"
        )
    with op.batch_alter_table('session_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_components_session_id'))
    op.drop_table('session_components')
