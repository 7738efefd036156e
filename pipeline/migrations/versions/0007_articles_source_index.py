"""an index that answers the stories per outlet alone: articles by outlet, with whether each is a
copy and its day

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:30:00
"""

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_articles_source', 'articles', ['source', 'duplicate_of', 'day'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_articles_source', table_name='articles')
