"""risk_assessments.calendar_checked: whether the booked time was checked against the
participants' calendars (bot/calendars); the outbox's kind 'calendar' carries the calendar writes

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null for the dialogues booked before: they were checked against the app's own store only.
    with op.batch_alter_table("risk_assessments") as batch_op:
        batch_op.add_column(sa.Column("calendar_checked", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("risk_assessments") as batch_op:
        batch_op.drop_column("calendar_checked")
