"""busy times for proposing free slots, Teams conversation references, outcome prompt marker

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "busy_times",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.String(80), nullable=False, index=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(40), nullable=False, server_default="manual"),
    )
    op.create_table(
        "conversation_references",
        sa.Column("user_id", sa.String(80), primary_key=True),
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("risk_assessments") as batch_op:
        batch_op.add_column(
            sa.Column("outcome_requested_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_assessments") as batch_op:
        batch_op.drop_column("outcome_requested_at")
    op.drop_table("conversation_references")
    op.drop_table("busy_times")
