"""results.held_certificate_no: a passer who already held a valid certificate of the same standard and
level gets no second one, and the result keeps the number held (issue 27 item 2);
score_display_settings: a center's choice of when candidates see their theory score (at once or
after publication, issue 27 item 11)

Revision ID: 0018_results_display
Revises: 0017_practical_sitting
Create Date: 2026-12-06 22:50:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0018_results_display"
down_revision = "0017_practical_sitting"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_certificate_no", sa.String(length=40), nullable=True))
    op.create_table(
        "score_display_settings",
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("theory_release", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "theory_release IN ('at_once', 'published')",
            name=op.f("ck_score_display_settings_theory_release_known"),
        ),
        sa.ForeignKeyConstraint(
            ["center_id"], ["centers.id"], name=op.f("fk_score_display_settings_center_id_centers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("center_id", name=op.f("pk_score_display_settings")),
    )


def downgrade():
    op.drop_table("score_display_settings")
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_column("held_certificate_no")
