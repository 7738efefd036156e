"""Fill a database with synthetic statements and time the app's queries on it (a benchmark).

The rows are made up but distributed like news: 50 countries, about 1,000 directed pairs whose
share of statements falls off like Zipf (the busiest pair holds about a sixth), ten years of days
with weekly and yearly rhythm, about one article per three statements (1 to 8 statements each, a
twelfth of them syndicated copies of an earlier story that repeat its quotes), 1% of stories
without a day, article texts of realistic length, and `dyad_daily` computed from the statements by
`pipeline.aggregate.daily_index`, as the pipeline does.

Example::

    python scripts/synthesize_db.py --statements 1000000 --out /tmp/big.db      # fill (~minutes)
    python scripts/synthesize_db.py --out /tmp/big.db --time                     # time the queries
    python scripts/synthesize_db.py --statements 1000000 --db postgresql://localhost/big --time
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline import aggregate, queries, store  # noqa: E402
from pipeline.categories import POLARITIES, category_table  # noqa: E402

COUNTRIES = (
    "USA", "CHN", "RUS", "PRK", "KOR", "JPN", "IRN", "ISR", "UKR", "GBR", "FRA", "DEU", "IND", "PAK",
    "TUR", "SAU", "SYR", "IRQ", "AFG", "TWN", "VNM", "PHL", "EGY", "LBN", "PSE", "YEM", "QAT", "ARE",
    "VEN", "CUB", "MEX", "CAN", "AUS", "BRA", "ARG", "POL", "BLR", "GEO", "ARM", "AZE", "SRB", "ETH",
    "SDN", "NGA", "ZAF", "LBY", "MMR", "IDN", "KAZ", "ITA",
)
PAIRS = 1000
ZIPF = 1.1  # share of the pair of rank r ~ 1 / r**ZIPF
FIRST_DAY, DAYS = dt.date(2015, 1, 1), 3653
HOSTILE, FRIENDLY = (tuple(c.name for c in category_table().values() if c.polarity == side)
                     for side in POLARITIES)
RULES = ("speaker", "subject", "passive", "trailing", "subject-first", "mutual", "undirected")
OUTLETS = tuple(f"outlet{i}.example" for i in range(40))
FILLER = ("Officials said the talks would continue next week while analysts warned of further "
          "escalation along the border. ") * 200  # article bodies are slices of this
BATCH = 20_000


def synthesize(url: str, statements_wanted: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    engine = store.make_engine(url)
    store.upgrade(engine)
    pairs = _pairs(rng)
    arts = _articles(rng, statements_wanted // 3, len(pairs))
    said = _statements(rng, arts, pairs, statements_wanted)
    started = time.perf_counter()
    _insert(engine, store.articles, _article_rows(rng, arts))
    _insert(engine, store.statements, _statement_rows(rng, said, arts))
    stories = arts[arts["duplicate_of"] < 0]
    volume = stories.dropna(subset=["day"]).groupby("day").size()
    kept = said[(arts["duplicate_of"].to_numpy()[said["article"]] < 0) & said["day"].notna()]
    kept = kept.assign(article_id=[_article_id(i) for i in kept["article"]])
    daily = aggregate.daily_index(kept, volume)
    _insert(engine, store.dyad_daily, daily.to_dict("records"))
    store.refresh_pair_totals(engine)
    engine.dispose()
    print(f"{len(arts)} articles, {len(said)} statements, {len(daily)} daily rows "
          f"inserted in {time.perf_counter() - started:.0f} s")


def _pairs(rng) -> np.ndarray:
    """PAIRS distinct (source, target) index pairs, busiest first; big countries more often."""
    weight = 1 / np.arange(1, len(COUNTRIES) + 1) ** 0.8
    weight /= weight.sum()
    chosen: dict[tuple[int, int], None] = {}
    while len(chosen) < PAIRS:
        a, b = rng.choice(len(COUNTRIES), size=2, replace=False, p=weight)
        chosen.setdefault((int(a), int(b)))
    return np.array(list(chosen))


def _articles(rng, count: int, pairs: int) -> pd.DataFrame:
    """Day, main pair, copy-of and length of each article; copies share their original's day and pair."""
    day = np.arange(DAYS)
    rhythm = (1 + 0.3 * np.sin(2 * np.pi * day / 365.25)) * np.where(day % 7 >= 5, 0.6, 1.0)
    rhythm *= 1 + day / DAYS  # news volume grows over the decade
    days = rng.choice(DAYS, size=count, p=rhythm / rhythm.sum())
    zipf = 1 / np.arange(1, pairs + 1) ** ZIPF
    pair = rng.choice(pairs, size=count, p=zipf / zipf.sum())
    duplicate_of = np.full(count, -1)
    copies = np.flatnonzero(rng.random(count) < 1 / 12)
    copies = copies[copies > 0]
    duplicate_of[copies] = (rng.random(len(copies)) * copies).astype(int)
    duplicate_of[copies] = np.where(duplicate_of[duplicate_of[copies]] >= 0,
                                    duplicate_of[duplicate_of[copies]], duplicate_of[copies])
    originals = np.where(duplicate_of >= 0, duplicate_of, np.arange(count))
    days, pair = days[originals], pair[originals]
    when = pd.Series([FIRST_DAY + dt.timedelta(days=int(d)) for d in days], dtype=object)
    when[rng.random(count) < 0.01] = None
    length = np.clip(rng.lognormal(np.log(2500), 0.5, count), 300, len(FILLER)).astype(int)
    return pd.DataFrame({"day": when, "pair": pair, "duplicate_of": duplicate_of, "length": length})


def _statements(rng, arts: pd.DataFrame, pairs: np.ndarray, wanted: int) -> pd.DataFrame:
    """`wanted` statements over the articles: mostly the article's pair, either way round."""
    per_article = np.clip(rng.poisson(2.0, len(arts)) + 1, 1, 8)
    article = np.repeat(np.arange(len(arts)), per_article)
    while len(article) < wanted:  # top up when the Poisson draw fell short
        article = np.concatenate([article, rng.choice(len(arts), wanted - len(article))])
    article = np.sort(article[:wanted])
    n = len(article)
    pair = arts["pair"].to_numpy()[article]
    other = rng.random(n) < 0.2
    zipf = 1 / np.arange(1, len(pairs) + 1) ** ZIPF
    pair[other] = rng.choice(len(pairs), size=int(other.sum()), p=zipf / zipf.sum())
    source, target = pairs[pair, 0], pairs[pair, 1]
    flip = rng.random(n) < 0.3
    source, target = np.where(flip, target, source), np.where(flip, source, target)
    hostility = np.round(rng.beta(2, 3, n), 4)
    cooperation = np.round(rng.beta(1, 4, n), 4)
    friendly = rng.random(n) < 0.3
    hostility, cooperation = (np.where(friendly, cooperation, hostility),
                              np.where(friendly, hostility, cooperation))
    at = np.arange(n)  # each side's categories in turn
    category = np.where(hostility >= cooperation, np.array(HOSTILE)[at % len(HOSTILE)],
                        np.array(FRIENDLY)[at % len(FRIENDLY)])
    return pd.DataFrame({
        "article": article, "day": arts["day"].to_numpy()[article],
        "source": np.array(COUNTRIES)[source], "target": np.array(COUNTRIES)[target],
        "directed": rng.random(n) < 0.75, "hostility": hostility, "cooperation": cooperation,
        "tension": np.round(hostility - cooperation, 4), "category": category,
        "quote": np.where(rng.random(n) < 0.4, rng.integers(0, 5000, n), -1),
    })


def _article_id(index: int) -> str:
    return f"{index:064x}"


def _article_rows(rng, arts: pd.DataFrame):
    now = dt.datetime.now(dt.UTC)
    for i, (day, _pair, copy_of, length) in enumerate(arts.itertuples(index=False)):
        yield {"id": _article_id(i), "record_key": f"synthetic-{i}", "url": f"https://news.example/{i}",
               "title": f"Synthetic story {i}", "source": OUTLETS[i % len(OUTLETS)],
               "published_at": None, "day": day, "ingested_at": now, "text": FILLER[:length],
               "origin": f"synthetic:{i}", "duplicate_of": _article_id(copy_of) if copy_of >= 0 else None,
               "minhash": None, "run_id": None}


def _statement_rows(rng, said: pd.DataFrame, arts: pd.DataFrame):
    position = said.groupby("article").cumcount().to_numpy()
    for i, row in enumerate(said.itertuples(index=False)):
        category = row.category
        quote = f"stock phrase {row.quote} about {row.target}" if row.quote >= 0 else None
        sentence = (f"{row.source} officials said {row.target} would face consequences "
                    f"({category.lower()}, statement {i}).")
        start = int(position[i]) * 200
        yield {"article_id": _article_id(row.article), "day": row.day, "start": start,
               "end": start + len(sentence), "sentence": sentence, "source": row.source,
               "target": row.target, "directed": bool(row.directed), "hostility": float(row.hostility),
               "cooperation": float(row.cooperation), "tension": float(row.tension),
               "category": category, "rule": RULES[i % len(RULES)], "confidence": 0.35 + (i % 10) / 20,
               "quote": quote, "vader_compound": None,
               "cues": [{"term": category.lower(), "category": category, "weight": float(row.hostility),
                         "start": 0, "end": 8, "negated": False}]}


def _insert(engine, table, rows) -> None:
    """executemany in batches of BATCH rows, one transaction each."""
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            with engine.begin() as connection:
                connection.execute(table.insert(), batch)
            batch = []
    if batch:
        with engine.begin() as connection:
            connection.execute(table.insert(), batch)


def _analyse(url: str) -> None:
    """Statistics for the planner of a server database (SQLite's planner keeps none)."""
    engine = store.make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    engine.dispose()


def time_queries(url: str, repeats: int = 5) -> None:
    engine = store.make_engine(url)
    first, last = queries.date_bounds(engine)
    year = (dt.date(last.year - 1, 1, 1), dt.date(last.year - 1, 12, 31))
    ranked = queries.top_dyads(engine, first, last, limit=100_000, directed_only=True)
    busiest = ranked.sort_values("statements", kind="stable").iloc[-1]  # most statements
    pair = (busiest["source"], busiest["target"])
    print(f"{url}: {first} .. {last}; busy pair {pair[0]}->{pair[1]}; year {year[0]} .. {year[1]}")
    cases = [
        ("dyad_series, one pair, one year", lambda: queries.dyad_series(engine, *year, pairs=[pair])),
        ("key_quotes, one pair, one year", lambda: queries.key_quotes(engine, *year, pairs=[pair])),
        ("top_dyads, one year", lambda: queries.top_dyads(engine, *year)),
        ("-- also: key_quotes, all pairs, one year", lambda: queries.key_quotes(engine, *year)),
        ("-- also: headline_figures, one year", lambda: queries.headline_figures(engine, *year)),
        ("-- also: biggest_movers, one year", lambda: queries.biggest_movers(engine, *year)),
        ("-- also: tension_matrix, one year", lambda: queries.tension_matrix(engine, *year)),
        ("-- also: date_bounds", lambda: queries.date_bounds(engine)),
        # The overview's first render: its default preset is the whole period.
        ("whole period: headline_figures", lambda: queries.headline_figures(engine, first, last)),
        ("whole period: top_dyads", lambda: queries.top_dyads(engine, first, last, limit=50)),
        ("whole period: biggest_movers", lambda: queries.biggest_movers(engine, first, last, limit=50)),
        ("whole period: anomalous_days", lambda: queries.anomalous_days(engine, first, last)),
        ("whole period: tension_matrix", lambda: queries.tension_matrix(engine, first, last)),
        ("whole period: articles_per_source", lambda: queries.articles_per_source(engine)),
        ("whole period: key_quotes, 200 (Quotes page)",
         lambda: queries.key_quotes(engine, first, last, limit=200)),
        # The same views of the deeds alone (the Rhetoric filter).
        ("dyad_series, one pair both ways, whole period",
         lambda: queries.dyad_series(engine, first, last, pairs=[pair, pair[::-1]])),
        ("deeds: dyad_series, one pair, one year",
         lambda: queries.dyad_series(engine, *year, pairs=[pair], kind="deeds")),
        ("deeds: whole period: headline_figures", lambda: queries.headline_figures(engine, first, last,
                                                                                   kind="deeds")),
        ("deeds: whole period: top_dyads", lambda: queries.top_dyads(engine, first, last, kind="deeds")),
        ("deeds: whole period: anomalous_days", lambda: queries.anomalous_days(engine, first, last,
                                                                               kind="deeds")),
        ("deeds: whole period: key_quotes, 200",
         lambda: queries.key_quotes(engine, first, last, limit=200, kind="deeds")),
    ]
    for name, run in cases:
        best, rows = float("inf"), 0
        for _ in range(repeats):
            began = time.perf_counter()
            result = run()
            best = min(best, time.perf_counter() - began)
            rows = len(result) if isinstance(result, pd.DataFrame) else len(result)
        print(f"{name:<44}{best * 1000:>9.1f} ms  ({rows} rows, best of {repeats})")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", help="SQLite file to create (replaced if it exists)")
    target.add_argument("--db", metavar="URL", help="or any database URL (PostgreSQL: an empty database; "
                                                    "analysed once filled, as its autovacuum would)")
    parser.add_argument("--statements", type=int, help="fill the file with this many statements")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time", action="store_true", help="time the app's queries on the file")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    out = Path(args.out).resolve() if args.out else None
    url = f"sqlite:///{out}" if out else args.db
    if args.statements:
        for stale in (out, Path(f"{out}-wal"), Path(f"{out}-shm")) if out else ():
            stale.unlink(missing_ok=True)
        synthesize(url, args.statements, args.seed)
        if not out:
            _analyse(url)
    elif out and not out.exists():
        parser.error(f"{out}: no such file; give --statements N to make it")
    if args.time:
        time_queries(url, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
