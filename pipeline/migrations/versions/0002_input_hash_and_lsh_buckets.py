"""input hash for incremental reruns; LSH buckets in the database; signatures re-signed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 14:20:00

A rerun used to look each article up by the hash of its cleaned text, one query per article, after
cleaning it; it now skips input it has stored by the hash of the text as read, one query a batch.
The near-duplicate index used to be rebuilt in memory from every stored signature at the start of
each run; it now lives in `lsh_buckets`. Signatures change format (datasketch's 64-bit values to
pipeline.dedupe's own 32-bit ones), so every stored article is re-signed from its text here.
Articles stored before this have no input hash: a rerun cleans them again and finds their text
stored ("unchanged").
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('input_sha', sa.String(length=64), nullable=True,
                                      comment='sha256 of the input text: reruns skip it'))
        batch_op.create_index(batch_op.f('ix_articles_input_sha'), ['input_sha'], unique=False)
        batch_op.add_column(sa.Column('lsh_key', sa.BigInteger(), nullable=True,
                                      comment='dedupe.article_key(id), as lsh_buckets names it'))
        batch_op.create_index(batch_op.f('ix_articles_lsh_key'), ['lsh_key'], unique=False)
    op.create_table('lsh_buckets',
    sa.Column('bucket', sa.BigInteger(), nullable=False, comment="one LSH band of an original's MinHash"),
    sa.Column('article_key', sa.BigInteger(), nullable=False, comment='articles.lsh_key of the original'),
    sa.PrimaryKeyConstraint('bucket', 'article_key'),
    comment='near-duplicate search: originals (not copies) by bucket, see pipeline.dedupe',
    sqlite_with_rowid=False,
    )
    _resign()


def _resign() -> None:
    """Every stored article gets a signature in the current format; originals get their buckets."""
    from pipeline import dedupe

    conn = op.get_bind()
    articles = sa.table('articles', sa.column('id'), sa.column('text'), sa.column('minhash'),
                        sa.column('duplicate_of'), sa.column('lsh_key'))
    buckets = sa.table('lsh_buckets', sa.column('bucket'), sa.column('article_key'))
    ids = conn.execute(sa.select(articles.c.id)).scalars().all()  # texts are read a batch at a time
    for start in range(0, len(ids), BATCH):
        query = sa.select(articles.c.id, articles.c.text, articles.c.duplicate_of)
        rows = conn.execute(query.where(articles.c.id.in_(ids[start:start + BATCH]))).all()
        signed = [(row, dedupe.signature(row.text)) for row in rows]
        conn.execute(articles.update().where(articles.c.id == sa.bindparam('key'))
                     .values(minhash=sa.bindparam('signature'), lsh_key=sa.bindparam('lsh')),
                     [{'key': row.id, 'signature': dedupe.to_bytes(m), 'lsh': dedupe.article_key(row.id)}
                      for row, m in signed])
        indexed = [{'bucket': bucket, 'article_key': dedupe.article_key(row.id)} for row, m in signed
                   if row.duplicate_of is None for bucket in set(dedupe.buckets(m))]
        if indexed:
            conn.execute(buckets.insert(), indexed)


def downgrade() -> None:
    # Signatures stay in the new format: a downgraded database is for inspection, not for runs.
    op.drop_table('lsh_buckets')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_lsh_key'))
        batch_op.drop_column('lsh_key')
        batch_op.drop_index(batch_op.f('ix_articles_input_sha'))
        batch_op.drop_column('input_sha')
