"""the quotes' indexes: ix_articles_superseded_run holds the marked articles alone, and
ix_statements_day the statements' category

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:30:00

The runner finds the articles a run has replaced by ix_articles_superseded_run (superseded_run > 0);
the dashboard's quotes keep the others (superseded_run IS NULL). Over the whole column SQLite, which
keeps no statistics, took that IS NULL as the way in and walked every article to its statements: a
partial index of the marked rows (a handful; between runs none) cannot answer it, and is smaller.

With the category after the day and the hostility, a period's words or deeds are counted, and their
most hostile found, in ix_statements_day alone, not by reading each statement's row.
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

MARKED = sa.text('superseded_run IS NOT NULL')


def upgrade() -> None:
    op.drop_index('ix_articles_superseded_run', table_name='articles')
    op.create_index('ix_articles_superseded_run', 'articles', ['superseded_run'], unique=False,
                    sqlite_where=MARKED, postgresql_where=MARKED)
    op.drop_index('ix_statements_day', table_name='statements')
    op.create_index('ix_statements_day', 'statements', ['day', 'hostility', 'category'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_statements_day', table_name='statements')
    op.create_index('ix_statements_day', 'statements', ['day', 'hostility'], unique=False)
    op.drop_index('ix_articles_superseded_run', table_name='articles')
    op.create_index('ix_articles_superseded_run', 'articles', ['superseded_run'], unique=False)
