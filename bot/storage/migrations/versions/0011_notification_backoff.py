"""notifications: a lease while the Teams notifier sends one, and its own attempts, next
attempt, last error and giving up, so a failing notice backs off instead of being tried every
round (bot/channels/teams_proactive.py)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = (
    ("claimed_until", sa.DateTime(timezone=True)),
    ("teams_next_attempt_at", sa.DateTime(timezone=True)),
    ("teams_last_error", sa.String(300)),
    ("teams_given_up_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    # Not in batch mode, which on SQLite copies the table and drops the old one: with foreign
    # keys on, that would clear the agreements' links (as 0006 says).
    op.add_column(
        "notifications",
        sa.Column("teams_attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    for name, kind in COLUMNS:
        op.add_column("notifications", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("notifications", name)
    op.drop_column("notifications", "teams_attempts")
