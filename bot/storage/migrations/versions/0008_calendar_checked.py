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
    # Not in batch mode, which on SQLite copies the table and drops the old one: with foreign
    # keys on, that would clear the agreements' links and the action plans (as 0006 says).
    op.add_column("risk_assessments", sa.Column("calendar_checked", sa.Boolean(), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) and PostgreSQL both drop a column in place.
    op.drop_column("risk_assessments", "calendar_checked")
