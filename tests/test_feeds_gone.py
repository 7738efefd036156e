"""Gone item pages over weeks, end to end against a real local server: kept while a feed lists
them, forgotten GONE_FORGET_DAYS after no feed does. Weeks pass by moving the stored times back."""

from datetime import timedelta

from sqlalchemy import func, select, update

from pipeline import store
from pipeline.feeds import GONE_AFTER_RUNS, GONE_FORGET_DAYS
from tests.test_feeds import STORIES, page, rss, run
from tests.web import Route, canned_web


def gone_rows(db: str) -> int:
    with store.make_engine(db).connect() as conn:
        return conn.execute(select(func.count()).select_from(store.gone_links)).scalar_one()


def as_if_days_ago(db: str, days: int) -> None:
    """Every gone page's first and last 404 moved `days` days back."""
    g = store.gone_links.c
    with store.make_engine(db).begin() as conn:
        conn.execute(update(store.gone_links).values(first_gone_at=g.first_gone_at - timedelta(days=days),
                                                     last_gone_at=g.last_gone_at - timedelta(days=days)))


def test_feeds_gone_page_is_kept_while_listed_and_asked_for_again_once_forgotten(tmp_path, capsys):
    """An item without a summary whose page answers 404: gone after GONE_AFTER_RUNS runs; skipped
    while its feed lists it, however long after its last 404, and kept; forgotten by the first run
    GONE_FORGET_DAYS after its feed stopped listing it; asked for again when a feed lists it again."""
    routes = {"/robots.txt": Route("", content_type="text/plain"),
              "/news/1": Route(page(*STORIES[1], "2024-07-01"))}
    with canned_web(routes) as web:
        db = f"sqlite:///{tmp_path / 'feeds.db'}"

        def run_listing(*paths: str) -> str:
            items = [(path, STORIES[0][0], "") for path in paths]
            routes["/feed.xml"] = Route(rss(web.url(""), items), content_type="application/rss+xml")
            assert run("--feed", web.url("/feed.xml"), db=db) == 0
            return capsys.readouterr().err

        for _ in range(GONE_AFTER_RUNS):
            run_listing("/news/gone")
        as_if_days_ago(db, GONE_FORGET_DAYS + 1)
        assert "1 gone pages skipped" in run_listing("/news/gone")
        assert gone_rows(db) == 1  # still listed: kept, though its last 404 is a month old
        run_listing("/news/1")  # the feed drops it
        as_if_days_ago(db, GONE_FORGET_DAYS + 1)
        run_listing("/news/1")
        assert gone_rows(db) == 0
        assert web.hits["/news/gone"] == GONE_AFTER_RUNS
        run_listing("/news/1", "/news/gone")
    assert web.hits["/news/gone"] == GONE_AFTER_RUNS + 1
