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
    from pipeline.dedupe import article_key, stored_buckets
    from pipeline.preparing import content_id

    articles = sa.table('articles', sa.column('id'), sa.column('day', sa.Date), sa.column('text'),
                        sa.column('lsh_key'), sa.column('minhash'))
    kept = [c['name'] for c in sa.inspect(conn).get_columns('articles') if c['name'] not in ('id', 'lsh_key')]
    copy = sa.text(f"INSERT INTO articles (id, lsh_key, {', '.join(kept)}) "
                   f"SELECT :new, :key, {', '.join(kept)} FROM articles WHERE id = :old")
    follow = [sa.text("UPDATE statements SET article_id = :new WHERE article_id = :old"),
              sa.text("UPDATE articles SET duplicate_of = :new WHERE duplicate_of = :old")]
    # By bucket and key, the table's primary key: by key alone every update would scan the table.
    reindex = sa.text("UPDATE lsh_buckets SET article_key = :key"
                      " WHERE bucket = :bucket AND article_key = :old_key")
    forget = sa.text("DELETE FROM articles WHERE id = :old")
    query = (sa.select(articles.c.id, articles.c.day, articles.c.text, articles.c.lsh_key, articles.c.minhash)
             .where(articles.c.day.is_not(None)).order_by(articles.c.id).limit(BATCH))
    last = ''
    # A batch at a time, in id order: memory stays flat. A renamed row may come round again under its
    # new id, and is then left as it is.
    while rows := conn.execute(query.where(articles.c.id > last)).all():
        last = rows[-1].id
        renames = [{'old': row.id, 'new': new, 'key': article_key(new), 'old_key': row.lsh_key, 'row': row}
                   for row in rows if (new := content_id(row.text, row.day)) != row.id]
        if not renames:
            continue
        names = [{k: v for k, v in rename.items() if k != 'row'} for rename in renames]
        for statement in [copy, *follow]:
            conn.execute(statement, names)
        buckets = [{'bucket': bucket, 'key': rename['key'], 'old_key': rename['old_key']}
                   for rename in renames if rename['row'].minhash is not None
                   for bucket in stored_buckets(rename['row'].minhash)]
        if buckets:
            conn.execute(reindex, buckets)
        conn.execute(forget, names)


def downgrade() -> None:
    # Ids stay dated: two dated articles may now share a text, and an undated name would collide.
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('articles', 'id', existing_type=sa.String(length=64), existing_nullable=False,
                        comment='sha256 of the cleaned text', existing_comment=ID_COMMENT)
