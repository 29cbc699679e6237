"""one message per person per moment: a reminder's line (part) and the message that carried it (bundle_of)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("part", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("bundle_of", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_delivery_bundle_of"), ["bundle_of"], unique=False)
        batch.create_foreign_key(batch.f("fk_delivery_bundle_of_delivery"), "delivery", ["bundle_of"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint(batch.f("fk_delivery_bundle_of_delivery"), type_="foreignkey")
        batch.drop_index(batch.f("ix_delivery_bundle_of"))
        batch.drop_column("bundle_of")
        batch.drop_column("part")
