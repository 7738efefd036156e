"""gone links: item pages that answered 404 or 410, so that a run stops asking for them

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 03:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gone_links',
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False, comment='the last answer: 404 or 410'),
    sa.Column('runs', sa.Integer(), nullable=False, comment='runs in a row in which it answered so'),
    sa.Column('first_gone_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_gone_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('url'),
    comment="item pages that answered 'not found' or 'gone', with no summary to store instead"
    )


def downgrade() -> None:
    op.drop_table('gone_links')
