"""Read-only queries for the app and the exports: SQLAlchemy Core selects -> pandas DataFrames.

The only package holding SQL the app reads with: the daily index's reads in `daily`, statements'
and articles' in `statements`, what is stored and how fresh in `freshness`, all importable from
here (their shared WHERE conditions are built by pipeline.query_filters, their typed results by
pipeline.frames); every value reaches the database as a bound parameter. Each function takes
an Engine or a Connection and plain filters: days as `datetime.date` or ISO strings (`start`/`end`
are inclusive; None leaves that end open), pairs as (source, target) tuples where direction matters.
Results are DataFrames with typed columns, days as datetime64[ns]; a result that is one record
(headline figures, an article) is a one-row DataFrame. Statements without a known day drop out of
any date-filtered query. Syndicated copies (articles.duplicate_of set) are folded wherever they
could count twice; `dyad_daily` has folded them already. Quotes, statement rows and the headline
counts leave out an older version that a run at work is replacing (statements.is_current). `kind`
picks the daily index of all statements ("all", the default), of the words alone or of the deeds
alone (pipeline.categories); on statements it keeps those of that kind's categories.

Example::

    engine = store.make_engine(store.database_url())
    first, last = date_bounds(engine)
    series = dyad_series(engine, "2019-12-01", "2019-12-31", pairs=[("PRK", "USA")])
    quotes = key_quotes(engine, "2019-12-01", "2019-12-31", categories=["THREATEN"], limit=10)
    article, said = article_evidence(engine, quotes.iloc[0]["article_id"])
"""

from pipeline.frames import (  # noqa: F401 - the columns each query returns, re-exported
    ARTICLE_COLUMNS,
    CHUNK_ROWS,
    DYAD_COLUMNS,
    HEADLINE_COLUMNS,
    MATRIX_COLUMNS,
    MOVER_COLUMNS,
    QUOTE_COLUMNS,
    RANKED_COLUMNS,
    STATEMENT_COLUMNS,
)
from pipeline.queries.daily import (  # noqa: F401
    PAIR_TOTAL_COLUMNS,
    anomalous_days,
    biggest_movers,
    date_bounds,
    dyad_series,
    dyad_series_chunks,
    has_daily_rows,
    ranked_pairs,
    tension_matrix,
    top_dyads,
)
from pipeline.queries.freshness import articles_per_source, data_version, last_run  # noqa: F401
from pipeline.queries.statements import (  # noqa: F401
    STATEMENT_ROW_COLUMNS,
    article_evidence,
    headline_figures,
    key_quotes,
    statement_row_chunks,
    statement_rows,
)
