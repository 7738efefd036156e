"""the daily index is kept for all statements and apart for words and for deeds (dyad_daily.kind)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 13:20:00

The rows already stored are the index of all statements (kind "all") and stay, so the dashboard
shows them until they are rebuilt. Every day holding statements is marked dirty: the run that
upgrades the database (migrations run when a run starts) rebuilds the index at its end, the words
and the deeds with it; a run killed first leaves the marks for the next one.
"""

import warnings

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD_KEY, OLD_PAIR_INDEX = ['day', 'source', 'target', 'directed'], ['source', 'target', 'day']
NEW_KEY, NEW_PAIR_INDEX = ['kind', *OLD_KEY], ['source', 'target', 'kind', 'day']


def kind_column() -> sa.Column:
    return sa.Column('kind', sa.String(length=8), server_default='all', nullable=False,
                     comment='all statements, or only the words or the deeds (pipeline.categories)')


def upgrade() -> None:
    _rekey(add_kind=True)
    op.execute("INSERT INTO dirty_days (day) SELECT DISTINCT s.day FROM statements s "
               "WHERE s.day IS NOT NULL AND s.day NOT IN (SELECT d.day FROM dirty_days d)")


def downgrade() -> None:
    op.execute("DELETE FROM dyad_daily WHERE kind <> 'all'")
    _rekey(add_kind=False)


def _rekey(add_kind: bool) -> None:
    """Add (or drop) `kind`, the primary key's first column and the pair index's third.
    SQLite cannot alter a key: its table is copied (batch mode), the unnamed key replaced."""
    key, index = (NEW_KEY, NEW_PAIR_INDEX) if add_kind else (OLD_KEY, OLD_PAIR_INDEX)
    sqlite = op.get_bind().dialect.name == 'sqlite'
    # SQLite's reflected columns keep their old key flags, and SQLAlchemy warns that the new key
    # differs from them; the new key is the one written (the schema test compares them).
    with warnings.catch_warnings(), op.batch_alter_table('dyad_daily', schema=None) as batch_op:
        warnings.filterwarnings('ignore', message='.*specifies columns .* as primary_key=True')
        batch_op.drop_index('ix_dyad_daily_pair_day')
        if not sqlite:
            batch_op.drop_constraint('dyad_daily_pkey', type_='primary')
        if add_kind:
            batch_op.add_column(kind_column())
        else:
            batch_op.drop_column('kind')
        batch_op.create_primary_key('dyad_daily_pkey', key)
        batch_op.create_index('ix_dyad_daily_pair_day', index, unique=False)
