"""the official registry: agencies in official order with their province and first day, splits with several successors

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("province", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("official_code", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("started_on", sa.Date(), nullable=True))
    op.create_table(
        "agency_successor",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_agency_successor_agency_id_agency")),
        sa.ForeignKeyConstraint(["successor_id"], ["agency.id"], name=op.f("fk_agency_successor_successor_id_agency")),
        sa.PrimaryKeyConstraint("agency_id", "successor_id", name=op.f("pk_agency_successor")),
    )


def downgrade() -> None:
    op.drop_table("agency_successor")
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("started_on")
        batch.drop_column("official_code")
        batch.drop_column("province")
        batch.drop_column("position")
