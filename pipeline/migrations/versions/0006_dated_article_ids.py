"""an article's id is the SHA-256 of its day and its cleaned text, so that the same words on another
day are another report

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 05:10:00

A news agency re-runs one text for each occasion ("Kim Jong Il inspects KPA unit"); an article was
named by its text alone, so every later run of it was found stored and dropped with its day. Each
dated article is renamed here (pipeline.preparing.content_id), and its statements, the links of its
copies and its LSH key follow it. A row is copied under its new id and the old one deleted once
nothing points at it, so that no foreign key is ever broken, enforced or not. Undated articles keep
their ids. Reruns still skip stored inputs (their hashes did not change); the repeats that were
dropped are stored by running their input again.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BATCH = 1000
ID_COMMENT = "sha256 of the day and the cleaned text"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':  # SQLite keeps no comments
        op.alter_column('articles', 'id', existing_type=sa.String(length=64), existing_nullable=False,
                        comment=ID_COMMENT, existing_comment='sha256 of the cleaned text')
    _rename_dated(conn)


def _rename_dated(conn) -> None:
    from pipeline.dedupe import article_key
    from pipeline.preparing import content_id

    articles = sa.table('articles', sa.column('id'), sa.column('day', sa.Date), sa.column('text'),
                        sa.column('lsh_key'))
    kept = [c['name'] for c in sa.inspect(conn).get_columns('articles') if c['name'] not in ('id', 'lsh_key')]
    copy = sa.text(f"INSERT INTO articles (id, lsh_key, {', '.join(kept)}) "
                   f"SELECT :new, :key, {', '.join(kept)} FROM articles WHERE id = :old")
    follow = [sa.text("UPDATE statements SET article_id = :new WHERE article_id = :old"),
              sa.text("UPDATE articles SET duplicate_of = :new WHERE duplicate_of = :old"),
              sa.text("UPDATE lsh_buckets SET article_key = :key WHERE article_key = :old_key"),
              sa.text("DELETE FROM articles WHERE id = :old")]
    dated = conn.execute(sa.select(articles.c.id).where(articles.c.day.is_not(None))).scalars().all()
    for start in range(0, len(dated), BATCH):  # texts are read a batch at a time
        rows = conn.execute(sa.select(articles.c.id, articles.c.day, articles.c.text, articles.c.lsh_key)
                            .where(articles.c.id.in_(dated[start:start + BATCH]))).all()
        renames = [{'old': row.id, 'new': new, 'key': article_key(new), 'old_key': row.lsh_key}
                   for row in rows if (new := content_id(row.text, row.day)) != row.id]
        if renames:
            for statement in [copy, *follow]:
                conn.execute(statement, renames)


def downgrade() -> None:
    # Ids stay dated: two dated articles may now share a text, and an undated name would collide.
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('articles', 'id', existing_type=sa.String(length=64), existing_nullable=False,
                        comment='sha256 of the cleaned text', existing_comment=ID_COMMENT)
