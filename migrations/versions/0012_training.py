"""training (职业培训: programs, trainers, trainees, classes, attendance, 结业证书 counters), staff
qualifications (资格), continuing education (继续教育: center requirements, records)

Revision ID: 0012_training
Revises: 0011_rating
Create Date: 2026-12-06 20:30:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


revision = '0012_training'
down_revision = '0011_rating'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_certificate_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_serial >= 0', name=op.f('ck_training_certificate_counters_serial_positive')),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_training_certificate_counters_center_id_centers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_certificate_counters')),
    sa.UniqueConstraint('center_id', 'year', name='uq_training_certificate_counters_center_year')
    )
    op.create_table('ce_requirements',
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('annual_hours', sa.Float(), nullable=False),
    sa.Column('minimum', sa.JSON(), nullable=False),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_ce_requirements_center_id_centers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_ce_requirements_updated_by_id_users')),
    sa.PrimaryKeyConstraint('center_id', name=op.f('pk_ce_requirements'))
    )
    op.create_table('staff_qualifications',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=True),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('titles', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_staff_qualifications_center_id_centers')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_staff_qualifications_updated_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_qualifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_staff_qualifications'))
    )
    op.create_table('trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('standard_id', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('venue', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('open', 'completed', name='trainingstatus', native_enum=False, length=20), nullable=False),
    sa.Column('completed_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('theory', 'practical', 'both')", name=op.f('ck_trainings_kind_known')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_trainings_dates_ordered')),
    sa.CheckConstraint('hours > 0', name=op.f('ck_trainings_hours_positive')),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_trainings_center_id_centers')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_trainings_created_by_id_users')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_trainings_standard_id_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainings'))
    )
    op.create_index(op.f('ix_trainings_center_id'), 'trainings', ['center_id'], unique=False)
    op.create_table('training_classes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_training_classes_times_ordered')),
    sa.CheckConstraint('hours > 0', name=op.f('ck_training_classes_hours_positive')),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_classes_training_id_trainings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_classes'))
    )
    op.create_index(op.f('ix_training_classes_training_id'), 'training_classes', ['training_id'], unique=False)
    op.create_table('training_trainees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=True),
    sa.Column('attended_hours', sa.Float(), nullable=True),
    sa.Column('certificate_no', sa.String(length=40), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_trainees_training_id_trainings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_trainees_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_trainees')),
    sa.UniqueConstraint('certificate_no', name=op.f('uq_training_trainees_certificate_no')),
    sa.UniqueConstraint('training_id', 'user_id', name='uq_training_trainees_training_user')
    )
    op.create_index(op.f('ix_training_trainees_training_id'), 'training_trainees', ['training_id'], unique=False)
    op.create_index(op.f('ix_training_trainees_user_id'), 'training_trainees', ['user_id'], unique=False)
    op.create_table('training_trainers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_trainers_training_id_trainings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_trainers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_trainers')),
    sa.UniqueConstraint('training_id', 'user_id', name='uq_training_trainers_training_user')
    )
    op.create_index(op.f('ix_training_trainers_training_id'), 'training_trainers', ['training_id'], unique=False)
    op.create_index(op.f('ix_training_trainers_user_id'), 'training_trainers', ['user_id'], unique=False)
    op.create_table('ce_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('credited', sa.Float(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='cestatus', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=True),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('公需科目', '专业科目')", name=op.f('ck_ce_records_category_known')),
    sa.CheckConstraint("source IN ('claim', 'platform')", name=op.f('ck_ce_records_source_known')),
    sa.CheckConstraint('credited IS NULL OR (credited >= 0 AND credited <= hours)', name=op.f('ck_ce_records_credited_range')),
    sa.CheckConstraint('hours > 0', name=op.f('ck_ce_records_hours_positive')),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_ce_records_center_id_centers')),
    sa.ForeignKeyConstraint(['class_id'], ['training_classes.id'], name=op.f('fk_ce_records_class_id_training_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_ce_records_decided_by_id_users')),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_ce_records_training_id_trainings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ce_records_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_records')),
    sa.UniqueConstraint('user_id', 'class_id', name='uq_ce_records_user_class')
    )
    op.create_index(op.f('ix_ce_records_center_id'), 'ce_records', ['center_id'], unique=False)
    op.create_index(op.f('ix_ce_records_user_id'), 'ce_records', ['user_id'], unique=False)
    op.create_index(op.f('ix_ce_records_year'), 'ce_records', ['year'], unique=False)
    op.create_table('training_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['training_classes.id'], name=op.f('fk_training_attendance_class_id_training_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_training_attendance_marked_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_attendance_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attendance')),
    sa.UniqueConstraint('class_id', 'user_id', name='uq_training_attendance_class_user')
    )
    op.create_index(op.f('ix_training_attendance_class_id'), 'training_attendance', ['class_id'], unique=False)
    op.create_index(op.f('ix_training_attendance_user_id'), 'training_attendance', ['user_id'], unique=False)
    # ### end Alembic commands ###


def downgrade():
    op.drop_index(op.f('ix_training_attendance_user_id'), table_name='training_attendance')
    op.drop_index(op.f('ix_training_attendance_class_id'), table_name='training_attendance')
    op.drop_table('training_attendance')
    op.drop_index(op.f('ix_ce_records_year'), table_name='ce_records')
    op.drop_index(op.f('ix_ce_records_user_id'), table_name='ce_records')
    op.drop_index(op.f('ix_ce_records_center_id'), table_name='ce_records')
    op.drop_table('ce_records')
    op.drop_index(op.f('ix_training_trainers_user_id'), table_name='training_trainers')
    op.drop_index(op.f('ix_training_trainers_training_id'), table_name='training_trainers')
    op.drop_table('training_trainers')
    op.drop_index(op.f('ix_training_trainees_user_id'), table_name='training_trainees')
    op.drop_index(op.f('ix_training_trainees_training_id'), table_name='training_trainees')
    op.drop_table('training_trainees')
    op.drop_index(op.f('ix_training_classes_training_id'), table_name='training_classes')
    op.drop_table('training_classes')
    op.drop_index(op.f('ix_trainings_center_id'), table_name='trainings')
    op.drop_table('trainings')
    op.drop_table('staff_qualifications')
    op.drop_table('ce_requirements')
    op.drop_table('training_certificate_counters')
    # ### end Alembic commands ###
