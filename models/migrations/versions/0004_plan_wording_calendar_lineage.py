"""plan wording, people's names, calendar days, agency lineage

Task paragraphs (the plan's own refs), the series' receiver as the plan words it and who compiles,
a person's position and the name an invite carries, calendar days kept in the database, and agencies
that are renamed, merged or dissolved without rewriting history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("successor_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_agency_successor_id_agency"), "agency", ["successor_id"], ["id"])
    op.create_table(
        "agency_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_agency_name_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_name")),
        sa.UniqueConstraint("agency_id", "until", name=op.f("uq_agency_name_agency_id_until")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paragraph", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch_op.drop_constraint("uq_task_plan_id_ref", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_task_plan_id_ref_paragraph"), ["plan_id", "ref", "paragraph"])
    with op.batch_alter_table("report_series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via_agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("receiver_wording", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_series_via_agency_id_agency"), "agency", ["via_agency_id"], ["id"]
        )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=255), server_default="", nullable=False))
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("person_title", sa.String(length=255), nullable=True))
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=255), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )


def downgrade() -> None:
    op.drop_table("calendar_day")
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_column("person_title")
        batch_op.drop_column("person_name")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("title")
    with op.batch_alter_table("report_series", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_report_series_via_agency_id_agency"), type_="foreignkey")
        batch_op.drop_column("receiver_wording")
        batch_op.drop_column("via_agency_id")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_task_plan_id_ref_paragraph"), type_="unique")
        batch_op.create_unique_constraint("uq_task_plan_id_ref", ["plan_id", "ref"])
        batch_op.drop_column("paragraph")
    op.drop_table("agency_name")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_agency_successor_id_agency"), type_="foreignkey")
        batch_op.drop_column("successor_id")
        batch_op.drop_column("ended_on")
