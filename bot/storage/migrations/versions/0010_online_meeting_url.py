"""risk_assessments.online_meeting_url: the Teams join link that Microsoft Graph made for the
dialogue's event (bot/calendars/graph_calendar.py), shown in chat, "Mina ärenden" and reminders

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in batch mode, which on SQLite copies the table and drops the old one: with foreign
    # keys on, that would clear the agreements' links and the action plans (as 0006 says).
    op.add_column("risk_assessments", sa.Column("online_meeting_url", sa.Text(), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) and PostgreSQL both drop a column in place.
    op.drop_column("risk_assessments", "online_meeting_url")
