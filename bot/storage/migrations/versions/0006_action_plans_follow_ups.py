"""action plans and follow-ups: actions get a table of their own (moved out of the risk
assessment's JSON list), held follow-ups are recorded, and sent reminders are keyed once-only

Revision ID: 0006
Revises: 0005
"""

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The tables as this migration knows them, whatever the models say later.
risk_assessments = sa.table(
    "risk_assessments",
    sa.column("id", sa.Integer()),
    sa.column("actions", sa.JSON()),
    sa.column("documented_on", sa.Date()),
    sa.column("follow_up_on", sa.Date()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
action_items = sa.table(
    "action_items",
    sa.column("id", sa.Integer()),
    sa.column("risk_assessment_id", sa.Integer()),
    sa.column("text", sa.Text()),
    sa.column("owner", sa.String(120)),
    sa.column("due_on", sa.Date()),
    sa.column("status", sa.String(10)),
    sa.column("moved_count", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
action_events = sa.table(
    "action_events",
    sa.column("action_id", sa.Integer()),
    sa.column("actor_id", sa.String(80)),
    sa.column("event", sa.String(20)),
    sa.column("due_on", sa.Date()),
    sa.column("detail", sa.Text()),
    sa.column("at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "risk_assessment_id",
            sa.Integer(),
            sa.ForeignKey("risk_assessments.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("owner_id", sa.String(80), nullable=True, index=True),
        sa.Column("due_on", sa.Date(), nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False, server_default="open", index=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(80), nullable=True),
        sa.Column("moved_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "action_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "action_id",
            sa.Integer(),
            sa.ForeignKey("action_items.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("actor_id", sa.String(80), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("previous_due_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "risk_assessment_id",
            sa.Integer(),
            sa.ForeignKey("risk_assessments.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        sa.Column(
            "agreement_id",
            sa.Integer(),
            sa.ForeignKey("agreements.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        sa.Column("held_on", sa.Date(), nullable=False, index=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "risk_assessment_id IS NOT NULL OR agreement_id IS NOT NULL",
            name="ck_follow_ups_subject",
        ),
    )
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.Date(), nullable=False),
        sa.Column("recipients", sa.String(300), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "subject_id", "occasion", name="uq_sent_reminders_occasion"),
    )
    move_json_actions_into_the_table(op.get_bind())
    # Not in batch mode: on SQLite that copies the table and drops the old one, and with
    # foreign keys on, dropping it would clear every agreement's link to its assessment.
    # SQLite (3.35 and later) and PostgreSQL both drop a column in place.
    op.execute("ALTER TABLE risk_assessments DROP COLUMN actions")


def move_json_actions_into_the_table(connection: sa.Connection) -> None:
    """One row per ``{"action", "owner", "due"}`` of each assessment, in the list's order, open
    and never moved (the JSON did not say more); a "created" event marks where it came from."""
    now = datetime.now(UTC)
    rows = connection.execute(
        sa.select(
            risk_assessments.c.id,
            risk_assessments.c.actions,
            risk_assessments.c.documented_on,
            risk_assessments.c.follow_up_on,
            risk_assessments.c.created_at,
        ).order_by(risk_assessments.c.id)
    ).all()
    for row in rows:
        for entry in row.actions or []:
            if not isinstance(entry, dict):
                continue
            fallback = row.documented_on or row.follow_up_on or (row.created_at or now).date()
            due = _day(entry.get("due")) or fallback
            item_id = connection.execute(
                action_items.insert()
                .values(
                    risk_assessment_id=row.id,
                    text=str(entry.get("action") or "").strip() or "(åtgärd utan text)",
                    owner=str(entry.get("owner") or "").strip()[:120] or "(ingen angiven)",
                    due_on=due,
                    status="open",
                    moved_count=0,
                    created_at=row.created_at or now,
                )
                .returning(action_items.c.id)
            ).scalar_one()
            connection.execute(
                action_events.insert().values(
                    action_id=item_id,
                    actor_id="system",
                    event="created",
                    due_on=due,
                    detail="flyttad från riskbedömningens åtgärdslista (migrering 0006)",
                    at=now,
                )
            )


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def downgrade() -> None:
    op.add_column(
        "risk_assessments",
        sa.Column("actions", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    connection = op.get_bind()
    plans: dict[int, list[dict[str, str]]] = {}
    for item in connection.execute(
        sa.select(
            action_items.c.risk_assessment_id,
            action_items.c.text,
            action_items.c.owner,
            action_items.c.due_on,
        ).order_by(action_items.c.id)
    ):
        plans.setdefault(item.risk_assessment_id, []).append(
            {"action": item.text, "owner": item.owner, "due": item.due_on.isoformat()}
        )
    for assessment_id, plan in plans.items():
        connection.execute(
            risk_assessments.update()
            .where(risk_assessments.c.id == assessment_id)
            .values(actions=plan)
        )
    op.drop_table("sent_reminders")
    op.drop_table("follow_ups")
    op.drop_table("action_events")
    op.drop_table("action_items")
