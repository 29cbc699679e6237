"""several instances: claims name their instance; incoming updates are handled once

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))
    op.create_table(
        "seen_update",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("update_key", sa.String(length=128), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "update_key", name=op.f("pk_seen_update")),
    )
    op.create_index(op.f("ix_seen_update_seen_at"), "seen_update", ["seen_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_seen_update_seen_at"), table_name="seen_update")
    op.drop_table("seen_update")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
