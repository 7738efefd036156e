"""pair totals weighted by each day's stories: what the pair pickers rank by is the whole period's index

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 01:00:00

The rankings now weight each day's index by its stories (queries.daily.period_index): summed as it
was, a day of 2 stories counted as much as a day of 400. pair_totals keeps, instead of each pair's
summed tension_index, its `weighted_index`, the sum of tension_index x day_articles over its daily
rows. The table is made anew and summed from the daily rows, rounded in Python to the rows' four
decimals by the rule of pipeline.totals as it stands today (a frozen copy); the downgrade makes
0013's table again the same way.
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

DIGITS = 4
SUMS = ("SELECT kind, source, target, directed, SUM({value}), SUM(statements) FROM dyad_daily "
        "GROUP BY kind, source, target, directed")


def upgrade() -> None:
    _made_and_summed("weighted_index", "tension_index * day_articles",
                     "tension_index x day_articles, summed over every day of dyad_daily")


def downgrade() -> None:
    _made_and_summed("tension_index", "tension_index", "summed over every day of dyad_daily")


def _made_and_summed(column: str, value: str, comment: str) -> None:
    op.drop_table('pair_totals')
    table = op.create_table('pair_totals',
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('target', sa.String(length=8), nullable=False),
        sa.Column('directed', sa.Boolean(), nullable=False),
        sa.Column(column, sa.Float(), nullable=False, comment=comment),
        sa.Column('statements', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'source', 'target', 'directed', name='pair_totals_pkey'),
        comment='dyad_daily summed over all days, a row per kind and pair'
    )
    rows = [{"kind": kind, "source": source, "target": target, "directed": bool(directed),
             column: round(total, DIGITS) + 0.0, "statements": said}
            for kind, source, target, directed, total, said in op.get_bind().execute(
                sa.text(SUMS.format(value=value)))]
    if rows:
        op.bulk_insert(table, rows)
