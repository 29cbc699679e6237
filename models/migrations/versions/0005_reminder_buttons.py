"""reminder buttons: deliveries know their period and what they update

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("edit_of", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_delivery_period_id"), ["period_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_delivery_period_id_report_period"), "report_period", ["period_id"], ["id"]
        )
        batch_op.create_foreign_key(batch_op.f("fk_delivery_edit_of_delivery"), "delivery", ["edit_of"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_delivery_edit_of_delivery"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_delivery_period_id_report_period"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_delivery_period_id"))
        batch_op.drop_column("edit_of")
        batch_op.drop_column("period_id")
