"""The schema: every table, in one MetaData that the migrations are checked against.

One schema serves SQLite (the default, a file with WAL) and PostgreSQL. pipeline.store re-exports
these names: the writer and the readers import them from there.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

CODE = 8  # ISO alpha-3 codes and organisation codes (NATO, ASEAN, ...)
KIND = 8  # "all", "words", "deeds"

metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", String(64), primary_key=True, comment="sha256 of the day and the cleaned text"),
    Column("input_sha", String(64), index=True, comment="sha256 of the input text: reruns skip it"),
    Column("record_key", String(512), index=True, comment="where it came from: record id, url or path"),
    Column("url", Text, index=True),
    Column("title", Text),
    Column("source", Text),
    Column("published_at", DateTime(timezone=True)),
    Column("day", Date, comment="publication day in the outlet's own zone"),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    Column("origin", Text, comment="path:line of the input"),
    Column("duplicate_of", String(64), ForeignKey("articles.id", ondelete="SET NULL"), index=True,
           comment="the first stored copy of the same wire story, when this is a near-copy"),
    Column("minhash", LargeBinary, comment="MinHash signature for near-duplicate search"),
    Column("lsh_key", BigInteger, index=True, comment="dedupe.article_key(id), as lsh_buckets names it"),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("superseded_run", Integer, comment="the run that replaced it, until that run ends"),
    # Of the few articles marked, not of every one: on the whole index SQLite, which keeps no
    # statistics, answered the quotes' `superseded_run IS NULL` by walking every article to its
    # statements (1.1-1.5 s over a million, not 0.1 s from the period's most hostile statements).
    Index("ix_articles_superseded_run", "superseded_run", sqlite_where=text("superseded_run IS NOT NULL"),
          postgresql_where=text("superseded_run IS NOT NULL")),
    # By day, with whether the article is a copy: counting a period's stories or copies reads this
    # index alone, not every article's row (2.2 s -> 0.05 s over a million statements' articles).
    Index("ix_articles_day", "day", "duplicate_of"),
    # By outlet, with whether the article is a copy and its day: the stories per outlet and each
    # outlet's newest day are read from this index alone, in outlet order, not from every article's
    # row with its text (0.64 s -> 0.06 s over a million statements' articles).
    Index("ix_articles_source", "source", "duplicate_of", "day"),
)


class _IsStory(ColumnElement):
    """`articles.duplicate_of IS NULL`, the article is no syndicated copy, written for each database.

    SQLite, which keeps no statistics, answers `IS NULL` by walking ix_articles_duplicate_of through
    every original (97 articles in 100 on the benchmark corpus), whatever else the query narrows by
    (a day range, LSH keys) where the other index reads a few pages; there it is written
    `coalesce(duplicate_of, '') = ''` (article ids are hex digests, never ''), which no index
    answers. PostgreSQL estimates `IS NULL` from its statistics and keeps it: the coalesce form
    would make it guess that 1 row in 200 passes, and choose join plans for that."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition as it stands: no "= 1" after it in a WHERE

    @property
    def _from_objects(self) -> list:
        return [articles]  # a query filtering by it reads the articles table (not an alias of it)


@compiles(_IsStory)
def _is_null(element: _IsStory, compiler, **kw) -> str:
    return compiler.process(articles.c.duplicate_of.is_(None), **kw)


@compiles(_IsStory, "sqlite")
def _is_empty(element: _IsStory, compiler, **kw) -> str:
    return compiler.process(func.coalesce(articles.c.duplicate_of, "") == "", **kw)


def is_story() -> ColumnElement:
    """The article is no syndicated copy: see _IsStory for why it is no plain `IS NULL`."""
    return _IsStory()


statements = Table(
    "statements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence", Text, nullable=False),
    Column("source", String(CODE), nullable=False),
    Column("target", String(CODE), nullable=False),
    Column("directed", Boolean, nullable=False),
    Column("hostility", Float, nullable=False),
    Column("cooperation", Float, nullable=False),
    Column("tension", Float, nullable=False),
    Column("category", String(16), nullable=False),
    Column("rule", String(24), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("quote", Text),
    Column("vader_compound", Float),
    Column("cues", JSON, nullable=False),
    UniqueConstraint("article_id", "start", "source", "target", name="uq_statement"),
    # With hostility last: the most hostile statements of a period or a pair are found in the index
    # alone (queries.key_quotes), and only theirs are read; over a period, of a kind too (its
    # categories), which is also how the words or the deeds of a period are counted.
    Index("ix_statements_pair_day", "source", "target", "day", "hostility"),
    Index("ix_statements_day", "day", "hostility", "category"),
    Index("ix_statements_article", "article_id"),
)

lsh_buckets = Table(
    "lsh_buckets",
    metadata,
    Column("bucket", BigInteger, primary_key=True, comment="one LSH band of an original's MinHash"),
    # An integer, not the 64-character id: a quarter of the index to write, twelve rows an article.
    Column("article_key", BigInteger, primary_key=True, comment="articles.lsh_key of the original"),
    comment="near-duplicate search: originals (not copies) by bucket, see pipeline.dedupe",
    sqlite_with_rowid=False,  # the primary key is the table: one B-tree to write, not two
)

dyad_daily = Table(
    "dyad_daily",
    metadata,
    Column("day", Date, nullable=False),
    Column("source", String(CODE), nullable=False),
    Column("target", String(CODE), nullable=False),
    Column("directed", Boolean, nullable=False),
    Column("articles", Integer, nullable=False),
    Column("statements", Integer, nullable=False),
    Column("mean_hostility", Float, nullable=False),
    Column("max_hostility", Float, nullable=False),
    Column("mean_cooperation", Float, nullable=False),
    Column("mean_tension", Float, nullable=False),
    Column("day_articles", Integer, nullable=False, comment="all articles stored for that day"),
    Column("tension_index", Float, nullable=False),
    Column("rolling_7d", Float, nullable=False),
    Column("anomaly", Boolean, nullable=False),
    Column("kind", String(KIND), nullable=False, server_default="all",
           comment="all statements, or only the words or the deeds (pipeline.categories)"),
    # Kind first: every query reads one kind, a period's rows of it are one range of the key. The
    # pair index leads with the pair, so that a kind alone is not read through it (in pair order).
    PrimaryKeyConstraint("kind", "day", "source", "target", "directed", name="dyad_daily_pkey"),
    Index("ix_dyad_daily_pair_day", "source", "target", "kind", "day"),
)
# A daily row's index weighted by its day's stories (100 x the tension of the pair's stories that
# day): what pair_totals sums (lookups.daily_sums_by_pair) and a period's index is summed from
# (queries.daily.period_index); pipeline.totals computes it in Python for the rows a rebuild writes.
WEIGHTED_INDEX = dyad_daily.c.tension_index * dyad_daily.c.day_articles

# What the pair pickers list, most tense first: each pair's daily index weighted by each day's stories
# (tension_index x day_articles), summed over every day, which over all stories is the pair's index of
# the whole period (queries.daily.period_index). Moved with each window of daily rows replaced
# (store.replace_daily, pipeline.totals), since summing them all for each new version of the data took
# 1.1 s of a page's first render over a million statements.
# Moves keep the totals right only from totals that were: a migration that writes dyad_daily must
# sum them again (as 0013 does); marking the days dirty is not enough.
pair_totals = Table(
    "pair_totals",
    metadata,
    Column("kind", String(KIND), nullable=False),
    Column("source", String(CODE), nullable=False),
    Column("target", String(CODE), nullable=False),
    Column("directed", Boolean, nullable=False),
    Column("weighted_index", Float, nullable=False,
           comment="tension_index x day_articles, summed over every day of dyad_daily"),
    Column("statements", Integer, nullable=False),
    PrimaryKeyConstraint("kind", "source", "target", "directed", name="pair_totals_pkey"),
    comment="dyad_daily summed over all days, a row per kind and pair",
)

dirty_days = Table(
    "dirty_days",
    metadata,
    Column("day", Date, primary_key=True, comment="days whose index must be rebuilt"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("version", String(32), nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("counts", JSON),
    Column("rejects", JSON),
    Column("status", String(16), nullable=False, comment="running, done, failed"),
    Column("failures", JSON, comment="feeds and pages that could not be had: one line each"),
)

feed_cache = Table(
    "feed_cache",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    comment="validators of each feed's last good answer, for conditional requests",
)

gone_links = Table(
    "gone_links",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("status", Integer, nullable=False, comment="the last answer: 404 or 410"),
    Column("runs", Integer, nullable=False, comment="runs in a row in which it answered so"),
    Column("first_gone_at", DateTime(timezone=True), nullable=False),
    Column("last_gone_at", DateTime(timezone=True), nullable=False),
    comment="item pages that answered 'not found' or 'gone', with no summary to store instead",
)
