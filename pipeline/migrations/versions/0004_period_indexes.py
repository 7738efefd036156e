"""indexes that answer a period's figures alone: articles by day with whether each is a copy,
statements by day (and by pair and day) with their hostility

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 02:50:00
"""

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# (table, index, columns before, columns after)
WIDENED = [
    ('articles', 'ix_articles_day', ['day'], ['day', 'duplicate_of']),
    ('statements', 'ix_statements_day', ['day'], ['day', 'hostility']),
    ('statements', 'ix_statements_pair_day', ['source', 'target', 'day'], ['source', 'target', 'day', 'hostility']),
]


def upgrade() -> None:
    for table, name, _, columns in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, columns, _ in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
