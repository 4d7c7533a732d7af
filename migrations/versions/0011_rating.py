"""organization rating (社会组织等级评估): rounds, experts, organizations, self-assessment, expert
scores, the append-only record of score changes (triggers written out here, as in 0009), appeals,
the capacity checklist answers

Revision ID: 0011_rating
Revises: 0010_surveys
Create Date: 2026-12-06 19:55:36.546351

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


# revision identifiers, used by Alembic.
revision = '0011_rating'
down_revision = '0010_surveys'
branch_labels = None
depends_on = None

APPEND_ONLY = 'rating_score_records'


def _create_triggers(dialect: str) -> None:
    table = APPEND_ONLY
    if dialect == 'sqlite':
        for operation in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {operation} refused'); END"
            )
    elif dialect == 'postgresql':
        # refuse_append_only_change() exists since 0009_audit_log
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
        )


def _drop_triggers(dialect: str) -> None:
    table = APPEND_ONLY
    if dialect == 'sqlite':
        for operation in ('update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
    elif dialect == 'postgresql':
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")


def upgrade():
    op.create_table('rating_checklist_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.String(length=60), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_rating_checklist_answers_center_id_centers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_checklist_answers')),
    sa.UniqueConstraint('center_id', 'framework_id', 'code', name='uq_rating_checklist_center_framework_code')
    )
    with op.batch_alter_table('rating_checklist_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_checklist_answers_center_id'), ['center_id'], unique=False)

    op.create_table('rating_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('self_assessment_due', sa.Date(), nullable=False),
    sa.Column('self_assessment_deadline', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('publicity_days', sa.Integer(), nullable=False),
    sa.Column('grades', sa.JSON(), nullable=False),
    sa.Column('grades_source', sa.Text(), nullable=False),
    sa.Column('published_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('publicity_ends', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('announced_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('publicity_days >= 1', name=op.f('ck_rating_rounds_publicity_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rating_rounds_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_rounds'))
    )
    op.create_table('rating_experts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rating_rounds.id'], name=op.f('fk_rating_experts_round_id_rating_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rating_experts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_experts')),
    sa.UniqueConstraint('round_id', 'user_id', name='uq_rating_experts_round_user')
    )
    with op.batch_alter_table('rating_experts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_experts_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_experts_user_id'), ['user_id'], unique=False)

    op.create_table('rating_organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('self_assessment', 'submitted', 'finalized', 'announced', name='orgstatus', native_enum=False, length=20), nullable=False),
    sa.Column('submitted_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('leaves', sa.JSON(), nullable=True),
    sa.Column('total', sa.Double(), nullable=True),
    sa.Column('total_text', sa.String(length=60), nullable=True),
    sa.Column('grade', sa.String(length=10), nullable=True),
    sa.Column('finalized_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('certificate_no', sa.String(length=40), nullable=True),
    sa.Column('certificate_grade', sa.String(length=10), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('total IS NULL OR total >= 0', name=op.f('ck_rating_organizations_total_nonnegative')),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_rating_organizations_center_id_centers')),
    sa.ForeignKeyConstraint(['round_id'], ['rating_rounds.id'], name=op.f('fk_rating_organizations_round_id_rating_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_organizations')),
    sa.UniqueConstraint('certificate_no', name=op.f('uq_rating_organizations_certificate_no')),
    sa.UniqueConstraint('round_id', 'center_id', name='uq_rating_organizations_round_center')
    )
    with op.batch_alter_table('rating_organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_organizations_center_id'), ['center_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_organizations_round_id'), ['round_id'], unique=False)

    op.create_table('rating_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('open', 'upheld', 'changed', name='appealstatus', native_enum=False, length=20), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=True),
    sa.Column('lodged_by_id', sa.Integer(), nullable=False),
    sa.Column('lodged_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rating_appeals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['lodged_by_id'], ['users.id'], name=op.f('fk_rating_appeals_lodged_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['rating_organizations.id'], name=op.f('fk_rating_appeals_organization_id_rating_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_appeals')),
    sa.UniqueConstraint('organization_id', name=op.f('uq_rating_appeals_organization_id'))
    )
    op.create_table('rating_expert_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 0', name=op.f('ck_rating_expert_scores_score_nonnegative')),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_rating_expert_scores_expert_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['rating_organizations.id'], name=op.f('fk_rating_expert_scores_organization_id_rating_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_expert_scores')),
    sa.UniqueConstraint('organization_id', 'expert_id', 'code', name='uq_rating_expert_scores_org_expert_code')
    )
    with op.batch_alter_table('rating_expert_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_expert_scores_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_expert_scores_organization_id'), ['organization_id'], unique=False)

    op.create_table('rating_score_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=True),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('new', sa.JSON(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_rating_score_records_actor_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['rating_organizations.id'], name=op.f('fk_rating_score_records_organization_id_rating_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_score_records'))
    )
    with op.batch_alter_table('rating_score_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_score_records_organization_id'), ['organization_id'], unique=False)

    op.create_table('rating_self_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['rating_organizations.id'], name=op.f('fk_rating_self_scores_organization_id_rating_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_self_scores')),
    sa.UniqueConstraint('organization_id', 'code', name='uq_rating_self_scores_org_code')
    )
    with op.batch_alter_table('rating_self_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_self_scores_organization_id'), ['organization_id'], unique=False)

    _create_triggers(op.get_bind().dialect.name)


def downgrade():
    _drop_triggers(op.get_bind().dialect.name)
    with op.batch_alter_table('rating_self_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_self_scores_organization_id'))

    op.drop_table('rating_self_scores')
    with op.batch_alter_table('rating_score_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_score_records_organization_id'))

    op.drop_table('rating_score_records')
    with op.batch_alter_table('rating_expert_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_expert_scores_organization_id'))
        batch_op.drop_index(batch_op.f('ix_rating_expert_scores_expert_id'))

    op.drop_table('rating_expert_scores')
    op.drop_table('rating_appeals')
    with op.batch_alter_table('rating_organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_organizations_round_id'))
        batch_op.drop_index(batch_op.f('ix_rating_organizations_center_id'))

    op.drop_table('rating_organizations')
    with op.batch_alter_table('rating_experts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_experts_user_id'))
        batch_op.drop_index(batch_op.f('ix_rating_experts_round_id'))

    op.drop_table('rating_experts')
    op.drop_table('rating_rounds')
    with op.batch_alter_table('rating_checklist_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_checklist_answers_center_id'))

    op.drop_table('rating_checklist_answers')
