"""copies filed more than a week from their original are decided again, as a run now decides them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 05:30:00

Since 2026-12-07 a near-copy is filed within dedupe.COPY_WINDOW_DAYS of its original; the same words
later are a new report. A database made before keeps its older links: on the benchmark corpus 3,161
of 3,718 copies were more than a week from their original, their statements folded out of the index.
Each such copy, oldest first, is linked to the earliest original within the window that it matches,
as a run would link it, or else becomes an original itself, indexed by its LSH buckets so that the
copies after it can find it; the day of each new original is marked dirty, and the run that
upgraded the database rebuilds the daily index for it.
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from pipeline import dedupe
    from pipeline.lookups import original_matching

    conn = op.get_bind()
    copy, original = sa.table('articles', *_columns()).alias('c'), sa.table('articles', *_columns()).alias('o')
    query = (sa.select(copy.c.id, copy.c.day, copy.c.minhash, copy.c.lsh_key, original.c.day.label('was'))
             .join(original, original.c.id == copy.c.duplicate_of).order_by(copy.c.day, copy.c.id))
    distant = [row for row in conn.execute(query)
               if row.minhash is not None and not dedupe.within_copy_window(row.day, row.was)]
    for row in distant:
        match = original_matching(conn, row.minhash, row.day, [row.id])  # as a run would link it
        conn.execute(sa.text("UPDATE articles SET duplicate_of = :original WHERE id = :id"),
                     {'original': match, 'id': row.id})
        if match is None:
            conn.execute(sa.text("INSERT INTO lsh_buckets (bucket, article_key) VALUES (:bucket, :key)"),
                         [{'bucket': bucket, 'key': row.lsh_key}
                          for bucket in sorted(set(dedupe.stored_buckets(row.minhash)))])
            _mark_dirty(conn, row.day)


def _columns():
    return [sa.column('id'), sa.column('day', sa.Date), sa.column('minhash', sa.LargeBinary),
            sa.column('lsh_key'), sa.column('duplicate_of')]


def _mark_dirty(conn, day: date) -> None:
    dirty = sa.table('dirty_days', sa.column('day', sa.Date))
    if conn.execute(sa.select(dirty.c.day).where(dirty.c.day == day)).first() is None:
        conn.execute(dirty.insert().values(day=day))


def downgrade() -> None:
    # The links made here stay: they are what a run of this or the last version makes.
    pass
