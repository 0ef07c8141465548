"""agreement: the address of the remote workplace (work-injury insurance), printed on the form

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: agreements made before this, and requests from the chat until it asks, have none;
    # the form then says the address is to be filled in before signing.
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.add_column(sa.Column("workplace_address", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.drop_column("workplace_address")
