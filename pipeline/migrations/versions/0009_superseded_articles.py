"""articles a run has replaced are marked, and deleted when the run ends unless its input still
states them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:45:00

A record's new version used to delete its older one in the same batch, before the rest of the
input was read; when a later record of the same input stated the older version again (one record id
used twice, or another record with the same text and day), it was stored anew, and every run of
that input did so again. The older version is now only marked with the run that replaced it, and
the run decides at its end; a run killed before that leaves the marks for the next one.
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_run', sa.Integer(), nullable=True,
                                      comment='the run that replaced it, until that run ends'))
        batch_op.create_index('ix_articles_superseded_run', ['superseded_run'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_superseded_run')
        batch_op.drop_column('superseded_run')
