"""pair totals: each pair's daily index summed over every day, what the pair pickers list

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 17:45:00

Filled here from the daily rows as they are; a rebuild of the index (daily.rebuild_daily_index)
summed them anew after it, so days a migration left dirty were counted once they were rebuilt.
(From 0013 each window of a rebuild moves them instead.)
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pair_totals',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('target', sa.String(length=8), nullable=False),
    sa.Column('directed', sa.Boolean(), nullable=False),
    sa.Column('tension_index', sa.Float(), nullable=False, comment='summed over every day of dyad_daily'),
    sa.Column('statements', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'source', 'target', 'directed', name='pair_totals_pkey'),
    comment='dyad_daily summed over all days, a row per kind and pair'
    )
    op.execute("INSERT INTO pair_totals (kind, source, target, directed, tension_index, statements) "
               "SELECT kind, source, target, directed, SUM(tension_index), SUM(statements) FROM dyad_daily "
               "GROUP BY kind, source, target, directed")


def downgrade() -> None:
    op.drop_table('pair_totals')
