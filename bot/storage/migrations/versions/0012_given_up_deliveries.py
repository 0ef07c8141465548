"""given-up deliveries for operations and HR: what kind of notice a notification is; when an
outbox message was given up; and on both, when and by whom HR marked a given-up one handled
(bot/hr/deliveries.py). Indexes on the give-up times, which GET /health counts.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# bot/outbox.py's mark for a calendar write a newer version replaced: ended, not given up.
SUPERSEDED = "superseded by a newer version"

outbox = sa.table(
    "outbox",
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.column("sent_at", sa.DateTime(timezone=True)),
    sa.column("last_error", sa.String(300)),
    sa.column("given_up_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    # Not in batch mode, which on SQLite copies the table and drops the old one: with foreign
    # keys on, that would clear the agreements' links (as 0006 says).
    op.add_column("notifications", sa.Column("kind", sa.String(40), nullable=True))
    for table in ("notifications", "outbox"):
        op.add_column(table, sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column(table, sa.Column("handled_by", sa.String(80), nullable=True))
    op.add_column("outbox", sa.Column("given_up_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_notifications_teams_given_up_at", "notifications", ["teams_given_up_at"])
    op.create_index("ix_outbox_given_up_at", "outbox", ["given_up_at"])
    # Messages given up before this migration: the time is not known, the day it was written
    # is the closest, so they reach HR's list without counting as given up just now.
    op.execute(
        outbox.update()
        .where(
            outbox.c.sent_at.is_(None),
            outbox.c.next_attempt_at.is_(None),
            sa.or_(outbox.c.last_error.is_(None), outbox.c.last_error != SUPERSEDED),
        )
        .values(given_up_at=outbox.c.created_at)
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_given_up_at", "outbox")
    op.drop_index("ix_notifications_teams_given_up_at", "notifications")
    op.drop_column("outbox", "given_up_at")
    for table in ("outbox", "notifications"):
        op.drop_column(table, "handled_by")
        op.drop_column(table, "handled_at")
    op.drop_column("notifications", "kind")
