"""exam_sessions.last_ticket: the last 准考证号 sequence handed out in a session (a counter, so that a
removed candidate's number is never handed out again), backfilled from the highest ticket held

Revision ID: 0015_ticket_counter
Revises: 0014_accounts
Create Date: 2026-12-06 21:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_ticket_counter'
down_revision = '0014_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_ticket', sa.Integer(), server_default='0', nullable=False))
    # Backfill: the sequence is the ticket's last four digits (yymmdd + session id + sequence).
    connection = op.get_bind()
    tickets = connection.execute(sa.text('SELECT session_id, ticket_no FROM session_candidates')).all()
    highest: dict[int, int] = {}
    for session_id, ticket_no in tickets:
        tail = (ticket_no or '')[-4:]
        if tail.isdigit():
            highest[session_id] = max(highest.get(session_id, 0), int(tail))
    for session_id, last in highest.items():
        connection.execute(
            sa.text('UPDATE exam_sessions SET last_ticket = :last WHERE id = :id'), {'last': last, 'id': session_id}
        )


def downgrade():
    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        batch_op.drop_column('last_ticket')
