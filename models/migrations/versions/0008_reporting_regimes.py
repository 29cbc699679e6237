"""reporting regimes: plans over several years, a series' data cut-off, the data a period covers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("year_to", sa.Integer(), nullable=True))
    with op.batch_alter_table("report_series") as batch:
        batch.add_column(sa.Column("cutoff", sa.Text(), nullable=True))
    with op.batch_alter_table("report_period") as batch:
        batch.add_column(sa.Column("data_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("data_to", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_period") as batch:
        batch.drop_column("data_to")
        batch.drop_column("data_from")
    with op.batch_alter_table("report_series") as batch:
        batch.drop_column("cutoff")
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("year_to")
