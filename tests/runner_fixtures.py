"""Helpers the runner's test files share (a helper module, not a test file): the story they run,
records written as a JSON-lines input, an upgraded engine on a database URL, the rows each table holds,
and the stored articles' record keys and days."""

import json

from sqlalchemy import func, select

from pipeline import store

STORY = (
    "Seoul accused Pyongyang on Monday of firing artillery shells near the border island. "
    "The defence ministry in Seoul said the shelling violated the military agreement and warned "
    "of a firm response. North Korea's state media said the drills were routine and blamed the "
    "South for provocations. Officials in Washington urged both sides to return to talks and said "
    "the United States remained committed to the defence of its ally. Analysts said tensions on "
    "the peninsula were the highest in months."
)


def wire(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def counts(engine):
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (store.articles, store.statements, store.dyad_daily, store.dirty_days)
        }


def engine_for(url):
    engine = store.make_engine(url)
    store.upgrade(engine)
    return engine


def stored_records(engine):
    with engine.connect() as conn:
        return sorted(conn.execute(select(store.articles.c.record_key, store.articles.c.day)).all())
