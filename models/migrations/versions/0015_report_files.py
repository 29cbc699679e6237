"""report files: their content once per content (stored_file), each agency's file of a period (report_file), and
the file a confirmation carries (submission.report_file_id)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("sha256", name=op.f("uq_stored_file_sha256")),
    )
    op.create_table(
        "report_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by_person_id", sa.Integer(), nullable=True),
        sa.Column("received_via", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_report_file_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["period_id"], ["report_period.id"], name=op.f("fk_report_file_period_id_report_period")
        ),
        sa.ForeignKeyConstraint(
            ["stored_file_id"], ["stored_file.id"], name=op.f("fk_report_file_stored_file_id_stored_file")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_person_id"], ["person.id"], name=op.f("fk_report_file_received_by_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_file")),
        sa.UniqueConstraint("agency_id", "period_id", "stored_file_id", name="uq_report_file_content"),
    )
    op.create_index(op.f("ix_report_file_period_id"), "report_file", ["period_id"], unique=False)
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("report_file_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_submission_report_file_id_report_file"), "report_file", ["report_file_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.drop_constraint(batch.f("fk_submission_report_file_id_report_file"), type_="foreignkey")
        batch.drop_column("report_file_id")
    op.drop_index(op.f("ix_report_file_period_id"), table_name="report_file")
    op.drop_table("report_file")
    op.drop_table("stored_file")
