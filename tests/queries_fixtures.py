"""The database the tests of pipeline.queries share (a helper module, not a test file), built by
hand: five stories and one syndicated copy over a week around New Year 2024, one story without a
day, their statements, and daily rows whose values are chosen so that every sum, mean and rank in
tests/test_queries_*.py can be checked by hand. Tests import the `engine` fixture by its
`engine_fixture` name; it builds that database on SQLite and on PostgreSQL (`db_url`).
"""

from datetime import UTC, date, datetime

import pytest

from pipeline.store import articles, dyad_daily, make_engine, metadata, refresh_pair_totals, statements

WHEN = datetime(2024, 1, 6, 12, 0, tzinfo=UTC)
START, END = date(2024, 1, 1), date(2024, 1, 5)


def article(key, day, duplicate_of=None):
    return {"id": key, "record_key": f"rec-{key}", "url": f"https://news.example/{key}",
            "title": f"Story {key}", "source": "news.example", "published_at": None, "day": day,
            "ingested_at": WHEN, "text": f"Text of {key}.", "origin": f"wire.jsonl:{key}",
            "duplicate_of": duplicate_of, "minhash": None, "run_id": None}


def cue(term, category, weight):
    return {"term": term, "category": category, "polarity": "hostile", "weight": weight,
            "start": 0, "end": len(term), "negated": False, "hedged": False, "intensified": False,
            "quoted": True}


def statement(sid, article_id, day, pair, hostility, category, quote=None, directed=True,
              cooperation=0.0, start=0):
    sentence = f"Sentence {sid}: {pair[0]} about {pair[1]}."
    return {"id": sid, "article_id": article_id, "day": day, "start": start, "end": start + len(sentence),
            "sentence": sentence, "source": pair[0], "target": pair[1], "directed": directed,
            "hostility": hostility, "cooperation": cooperation,
            "tension": round(hostility - cooperation, 4), "category": category, "rule": "speaker",
            "confidence": 0.8, "quote": quote, "vader_compound": None,
            "cues": [cue(category.lower(), category, hostility)]}


def daily(day, pair, index, statements=1, hostility=0.5, anomaly=False, directed=True, tension=None,
          kind="all", stories=1):
    return {"kind": kind, "day": day, "source": pair[0], "target": pair[1], "directed": directed,
            "articles": statements,
            "statements": statements, "mean_hostility": hostility, "max_hostility": hostility,
            "mean_cooperation": 0.0, "mean_tension": hostility if tension is None else tension,
            "day_articles": stories, "tension_index": index, "rolling_7d": index / 7, "anomaly": anomaly}


PRK_USA, USA_PRK, RUS_UKR, CHN_JPN = ("PRK", "USA"), ("USA", "PRK"), ("RUS", "UKR"), ("CHN", "JPN")
D = {n: date(2024, 1, n) for n in range(1, 6)}
ARTICLES = [
    article("a1", D[1]), article("a2", D[2]), article("a3", D[2], duplicate_of="a2"),
    article("a4", D[5]), article("a5", None), article("a6", date(2023, 12, 29)),
]
STATEMENTS = [
    statement(1, "a1", D[1], PRK_USA, 0.9, "THREATEN", quote="pay dearly"),
    statement(2, "a1", D[1], USA_PRK, 0.4, "ACCUSE", cooperation=0.1, start=50),
    statement(3, "a2", D[2], PRK_USA, 0.7, "THREATEN", quote="pay dearly"),  # same quote as 1
    statement(4, "a3", D[2], PRK_USA, 0.95, "THREATEN", quote="copy"),  # in the syndicated copy
    statement(5, "a4", D[5], CHN_JPN, 0.5, "DISAPPROVE", directed=False, cooperation=0.2),
    statement(6, "a4", D[5], RUS_UKR, 0.8, "ATTACK", quote="", start=60),  # empty quote: sentence
    statement(7, "a5", None, PRK_USA, 0.99, "THREATEN", quote="no day"),
    statement(8, "a6", date(2023, 12, 29), RUS_UKR, 0.6, "ATTACK"),
]
DAILY = [
    daily(date(2023, 12, 20), RUS_UKR, 99.0),  # before the previous period of START..END
    daily(date(2023, 12, 29), RUS_UKR, 60.0),
    daily(date(2023, 12, 30), PRK_USA, 10.0),
    daily(D[1], PRK_USA, 45.0, statements=1, hostility=0.9, anomaly=True),
    daily(D[1], USA_PRK, 15.0, hostility=0.4),
    daily(D[2], PRK_USA, 70.0, statements=2, hostility=0.6, tension=0.3),
    daily(D[5], CHN_JPN, 15.0, directed=False, tension=0.3),
    daily(D[5], RUS_UKR, 40.0, hostility=0.8, anomaly=True),
    # The same days told apart: the threats are words, the attacks deeds.
    daily(D[1], PRK_USA, 45.0, statements=1, hostility=0.9, anomaly=True, kind="words"),
    daily(D[1], USA_PRK, 15.0, hostility=0.4, kind="words"),
    daily(D[2], PRK_USA, 70.0, statements=2, hostility=0.6, tension=0.3, kind="words"),
    daily(D[5], CHN_JPN, 15.0, directed=False, tension=0.3, kind="words"),
    daily(date(2023, 12, 29), RUS_UKR, 60.0, kind="deeds"),
    daily(D[5], RUS_UKR, 40.0, hostility=0.8, anomaly=True, kind="deeds"),
]


def build_database(url: str):
    """The hand-made database at `url` (empty before); returns its engine."""
    engine = make_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(articles.insert(), ARTICLES)
        connection.execute(statements.insert(), STATEMENTS)
        connection.execute(dyad_daily.insert(), DAILY)
    refresh_pair_totals(engine)
    return engine


@pytest.fixture(name="engine")
def engine_fixture(db_url):
    """The hand-made database on SQLite and on PostgreSQL (`db_url`)."""
    engine = build_database(db_url)
    yield engine
    engine.dispose()


def pairs_of(frame):
    return list(zip(frame["source"], frame["target"], strict=True))


def with_publication_times(engine, ids):
    """Give some articles a publication time, so that a result's times are partly missing."""
    with engine.begin() as connection:
        connection.execute(articles.update().where(articles.c.id.in_(ids)).values(published_at=WHEN))
    return engine
