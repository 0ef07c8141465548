"""risk assessment booking: time, place, participants, calendar uid, actions

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UID_CONSTRAINT = "uq_risk_assessments_calendar_uid"


def upgrade() -> None:
    # Server defaults: assessments registered before this migration get valid values.
    with op.batch_alter_table("risk_assessments") as batch_op:
        batch_op.add_column(sa.Column("safety_representative_id", sa.String(80), nullable=True))
        batch_op.add_column(sa.Column("start_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("end_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("place", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("calendar_uid", sa.String(80), nullable=True))
        batch_op.add_column(
            sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("agreement_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("actions", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.create_unique_constraint(UID_CONSTRAINT, ["calendar_uid"])


def downgrade() -> None:
    with op.batch_alter_table("risk_assessments") as batch_op:
        batch_op.drop_constraint(UID_CONSTRAINT, type_="unique")
        for column in (
            "actions",
            "agreement_id",
            "calendar_sequence",
            "calendar_uid",
            "place",
            "end_at",
            "start_at",
            "safety_representative_id",
        ):
            batch_op.drop_column(column)
