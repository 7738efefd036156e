"""feeds: the validators of each feed, failures of a run, articles by URL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 14:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feed_cache',
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('url'),
    comment="validators of each feed's last good answer, for conditional requests"
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failures', sa.JSON(), nullable=True,
                                      comment='feeds and pages that could not be had: one line each'))
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articles_url'), ['url'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_url'))
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_column('failures')
    op.drop_table('feed_cache')
