"""Feeds end to end against a real local server: new items fetched and stored, failures reported
with status and URL, nothing fetched twice, and the feed's summary when a page cannot be had."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline import store
from pipeline.cli import main
from pipeline.feeds import FeedListError, read_feed_list
from tests.web import Route, canned_web

# Fictional reports about real countries, written for these tests.
STORIES = [
    ("Kyiv summons envoy", "Ukraine's foreign ministry summoned Russia's envoy on Tuesday and condemned "
     "the overnight strikes on Kharkiv as a grave violation of international law."),
    ("Seoul protests drills", "South Korea protested to North Korea after artillery drills near the "
     "border island, warning of a firm response to any further provocation."),
    ("Manila and Beijing trade accusations", "The Philippines accused China of ramming a supply boat "
     "near the Second Thomas Shoal, and Beijing said Manila had provoked the collision."),
    ("Delhi and Islamabad resume talks", "India and Pakistan agreed to resume talks on the Indus waters "
     "treaty, officials said, after months of tension along the border."),
    ("Tokyo lodges protest", "Japan lodged a protest with China over coast guard ships entering the "
     "waters around the Senkaku Islands for the third time this month."),
]


def page(title: str, text: str, day: str | None) -> str:
    """An article page; with `day` None it does not say when it was published."""
    dated = f"<meta property='article:published_time' content='{day}'>" if day else ""
    return (f"<html><head><title>{title}</title>{dated}"
            f"</head><body><article><h1>{title}</h1><p>{text}</p><p>{text}</p></article></body></html>")


def rss(base: str, items: list[tuple[str, str, str]], when: str = "Tue, 02 Jul 2024 09:00:00 GMT",
        name: str = "Canned Wire") -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><pubDate>{when}"
        f"</pubDate>{f'<description>{summary}</description>' if summary else ''}</item>"
        for path, title, summary in items
    )
    channel = f"<channel><title>{name}</title>{entries}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>"


@pytest.fixture
def wire():
    """A feed of five items whose fifth link is a 404 (and which has no summary to fall back on)."""
    routes = {"/robots.txt": Route("User-agent: *\nAllow: /\n", content_type="text/plain")}
    with canned_web(routes) as web:
        items = []
        for number, (title, text) in enumerate(STORIES, start=1):
            if number < 5:
                routes[f"/news/{number}"] = Route(page(title, text, f"2024-07-0{number}"))
            items.append((f"/news/{number}", title, ""))
        routes["/feed.xml"] = Route(rss(web.url(""), items), content_type="application/rss+xml")
        yield web


def run(*args, db):
    return main(["run", *args, "--db", db, "--workers", "1", "--timeout", "2", "--host-interval", "0",
                 "--retries", "0"])


def stored(db) -> int:
    with store.make_engine(db).connect() as conn:
        return conn.execute(select(func.count()).select_from(store.articles)).scalar_one()


def test_feeds_five_items_one_404_then_nothing_new(wire, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'feeds.db'}"
    assert run("--feed", wire.url("/feed.xml"), db=db) == 0
    err = capsys.readouterr().err
    assert f"{wire.url('/news/5')}: HTTP 404" in err
    assert stored(db) == 4
    pages = {path: wire.hits[path] for path in ("/news/1", "/news/2", "/news/3", "/news/4", "/news/5")}
    assert pages == dict.fromkeys(pages, 1)

    assert run("--feed", wire.url("/feed.xml"), db=db) == 0
    err = capsys.readouterr().err
    assert stored(db) == 4 and ": 0 stored," in err
    assert [wire.hits[f"/news/{n}"] for n in range(1, 5)] == [1, 1, 1, 1]  # stored links not refetched
    with store.make_engine(db).connect() as conn:
        runs = conn.execute(select(store.runs.c.inputs, store.runs.c.failures)).all()
        days = set(conn.execute(select(store.articles.c.day)).scalars())
    assert runs[0].inputs == [wire.url("/feed.xml")]
    assert runs[0].failures == [f"{wire.url('/news/5')}: HTTP 404"]
    assert {day.isoformat() for day in days} == {"2024-07-01", "2024-07-02", "2024-07-03", "2024-07-04"}


def test_feeds_unchanged_feed_answers_304_and_costs_nothing(tmp_path, capsys):
    routes = {"/robots.txt": Route("", content_type="text/plain")}
    with canned_web(routes) as web:
        routes["/news/1"] = Route(page(*STORIES[0], "2024-07-01"))
        routes["/feed.xml"] = Route(rss(web.url(""), [("/news/1", STORIES[0][0], "")]),
                                    content_type="application/rss+xml", etag='"v7"')
        db = f"sqlite:///{tmp_path / 'feeds.db'}"
        assert run("--feed", web.url("/feed.xml"), db=db) == 0
        assert run("--feed", web.url("/feed.xml"), db=db) == 0
        assert web.hits["/feed.xml"] == 2 and web.hits["/news/1"] == 1
        assert "1 feeds unchanged" in capsys.readouterr().err


def test_feeds_page_that_fails_falls_back_to_the_summary(tmp_path, capsys):
    summary = "Japan lodged a protest with China over coast guard ships near the Senkaku Islands."
    routes = {"/robots.txt": Route("", content_type="text/plain"), "/news/1": Route("down", status=500),
              "/news/2": Route(b"%PDF", content_type="application/pdf")}
    with canned_web(routes) as web:
        routes["/feed.xml"] = Route(rss(web.url(""), [("/news/1", "Tokyo protests", summary),
                                                      ("/news/2", "A report", "")]),
                                    content_type="application/atom+xml")
        db = f"sqlite:///{tmp_path / 'feeds.db'}"
        assert run("--feed", web.url("/feed.xml"), db=db) == 0
        err = capsys.readouterr().err
    assert f"{web.url('/news/1')}: HTTP 500 (the feed's summary stored instead)" in err
    assert f"{web.url('/news/2')}: refused: application/pdf" in err
    with store.make_engine(db).connect() as conn:
        a = store.articles.c
        article = conn.execute(select(a.text, a.title, a.day)).one()
    assert article.text == summary and article.title == "Tokyo protests"
    assert article.day.isoformat() == "2024-07-02"  # the feed's date, as the page could not be had


def test_feeds_broken_feed_is_reported_and_the_others_go_on(wire, tmp_path, capsys):
    wire.routes["/broken.xml"] = Route("<rss><channel><item>", content_type="application/rss+xml")
    wire.routes["/gone.xml"] = Route("gone", status=404)
    db = f"sqlite:///{tmp_path / 'feeds.db'}"
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# test feeds\n{wire.url('/broken.xml')}  # broken\n\n{wire.url('/gone.xml')}\n"
                     f"{wire.url('/feed.xml')}  # good\n")
    assert run("--feeds", str(feeds), db=db) == 0
    err = capsys.readouterr().err
    assert f"{wire.url('/broken.xml')}: not a feed" in err and f"{wire.url('/gone.xml')}: HTTP 404" in err
    assert stored(db) == 4


def test_feeds_list_with_a_bad_line_is_a_usage_error_naming_it(tmp_path, capsys):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("# ok\nhttps://example.org/rss\nftp://example.org/feed\n")
    with pytest.raises(FeedListError, match=r"feeds.txt:3: not an http\(s\) URL"):
        read_feed_list(str(feeds))
    assert main(["run", "--feeds", str(feeds), "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert f"{feeds}:3: not an http(s) URL" in capsys.readouterr().err


def test_feeds_nothing_to_read_is_a_usage_error(tmp_path, capsys):
    assert main(["run", "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert "nothing to read" in capsys.readouterr().err


def test_feeds_default_list_is_commented_urls():
    default_feed_list = Path(__file__).resolve().parents[1] / "data" / "feeds.txt"
    urls = read_feed_list(str(default_feed_list))
    lines = [line for line in default_feed_list.read_text().splitlines() if line.startswith("http")]
    assert len(urls) == len(lines) >= 20 and all("#" in line for line in lines)


def atom(base: str, entries: list[tuple[str, str, str]], when: str = "2024-07-03T10:00:00Z",
         name: str = "Ministry Statements") -> str:
    body = "".join(
        f"<entry><title>{title}</title><link rel='alternate' href='{base}{path}'/><id>urn:{path}</id>"
        f"<updated>{when}</updated><summary>{summary}</summary></entry>"
        for path, title, summary in entries
    )
    return ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>{name}</title><id>urn:ministry</id><updated>{when}</updated>"
            f"{body}</feed>")


def test_feeds_atom_feed_pages_and_robots_fallback(tmp_path, capsys):
    """An Atom feed: the first page is read (its own date wins), the second is closed by robots.txt
    and its entry's summary and date are stored instead."""
    summary = "Canada condemned Iran's detention of two aid workers and demanded their release."
    routes = {"/robots.txt": Route("User-agent: *\nDisallow: /closed/\n", content_type="text/plain")}
    with canned_web(routes) as web:
        routes["/statements/1"] = Route(page(*STORIES[1], "2024-07-01"))
        routes["/closed/2"] = Route(page("Ottawa protests", summary, "2024-06-30"))
        routes["/atom"] = Route(atom(web.url(""), [("/statements/1", STORIES[1][0], "short"),
                                                   ("/closed/2", "Ottawa protests", summary)]),
                                content_type="application/atom+xml")
        db = f"sqlite:///{tmp_path / 'feeds.db'}"
        assert run("--feed", web.url("/atom"), db=db) == 0
        assert web.hits["/closed/2"] == 0
    assert f"{web.url('/closed/2')}: disallowed by robots.txt (the feed's summary stored instead)" in \
        capsys.readouterr().err
    with store.make_engine(db).connect() as conn:
        a = store.articles.c
        rows = conn.execute(select(a.url, a.text, a.day, a.source).order_by(a.url)).all()
    assert [row.url for row in rows] == [web.url("/closed/2"), web.url("/statements/1")]
    assert rows[0].text == summary and rows[0].day.isoformat() == "2024-07-03"
    assert "artillery drills" in rows[1].text and rows[1].day.isoformat() == "2024-07-01"
    assert {row.source for row in rows} == {"Ministry Statements"}


def test_feeds_missing_item_is_retried_even_when_the_feed_has_not_changed(tmp_path, capsys):
    """An item with no page and no summary is not stored; the feed's ETag is not kept, so the next run
    reads the feed again and gets the item once its page is up."""
    routes = {"/robots.txt": Route("", content_type="text/plain")}
    with canned_web(routes) as web:
        routes["/feed.xml"] = Route(rss(web.url(""), [("/news/1", STORIES[0][0], "")]),
                                    content_type="application/rss+xml", etag='"v1"')
        db = f"sqlite:///{tmp_path / 'feeds.db'}"
        assert run("--feed", web.url("/feed.xml"), db=db) == 0
        assert f"{web.url('/news/1')}: HTTP 404" in capsys.readouterr().err and stored(db) == 0
        routes["/news/1"] = Route(page(*STORIES[0], "2024-07-01"))
        assert run("--feed", web.url("/feed.xml"), db=db) == 0
        assert stored(db) == 1 and web.hits["/news/1"] == 2
        assert run("--feed", web.url("/feed.xml"), db=db) == 0  # now complete: a 304
        assert "1 feeds unchanged" in capsys.readouterr().err and web.hits["/news/1"] == 2


def test_feeds_link_in_two_feeds_is_fetched_once(wire, tmp_path):
    wire.routes["/copy.xml"] = Route(rss(wire.url(""), [("/news/1", "Copy", "")]),
                                     content_type="application/rss+xml")
    db = f"sqlite:///{tmp_path / 'feeds.db'}"
    assert run("--feed", wire.url("/feed.xml"), "--feed", wire.url("/copy.xml"), db=db) == 0
    assert wire.hits["/news/1"] == 1 and stored(db) == 4


def test_feeds_item_dated_by_the_feed_gets_the_outlets_day_not_utcs(tmp_path):
    """An evening story in New York (RSS, RFC 822) and one in Los Angeles (Atom, RFC 3339), whose
    pages give no date: their day is the one the feed wrote, though it is already the next in UTC."""
    routes = {"/robots.txt": Route("", content_type="text/plain"),
              "/east": Route(page(*STORIES[0], None)), "/west": Route(page(*STORIES[2], None))}
    with canned_web(routes) as web:
        routes["/rss"] = Route(rss(web.url(""), [("/east", STORIES[0][0], "")],
                                   when="Mon, 01 Jul 2024 23:30:00 -0500", name="East Wire"),
                               content_type="application/rss+xml")
        routes["/atom"] = Route(atom(web.url(""), [("/west", STORIES[2][0], "")],
                                     when="2024-07-01T22:00:00-07:00", name="West Wire"),
                                content_type="application/atom+xml")
        db = f"sqlite:///{tmp_path / 'feeds.db'}"
        assert run("--feed", web.url("/rss"), "--feed", web.url("/atom"), db=db) == 0
    with store.make_engine(db).connect() as conn:
        a = store.articles.c
        rows = conn.execute(select(a.source, a.day, a.published_at).order_by(a.source)).all()
    assert [(row.source, row.day.isoformat()) for row in rows] == [
        ("East Wire", "2024-07-01"), ("West Wire", "2024-07-01")]
    assert [row.published_at.isoformat() for row in rows] == ["2024-07-02T04:30:00", "2024-07-02T05:00:00"]


def test_feeds_page_gone_run_after_run_is_no_longer_asked_for(tmp_path, capsys):
    """An item whose page answers 404 and which has no summary: asked for while it has answered so in
    fewer than GONE_AFTER_RUNS runs or for less than GONE_AFTER_DAYS, then no more, and its feed is
    asked conditionally again (a 304); once the feed gives it a summary, that is stored. A page that
    answers 500 (down for now, not gone) is asked for every run."""
    from sqlalchemy import update

    from pipeline.feeds import GONE_AFTER_DAYS, GONE_AFTER_RUNS

    routes = {"/robots.txt": Route("", content_type="text/plain"), "/news/down": Route("busy", status=500)}
    with canned_web(routes) as web:
        routes["/feed.xml"] = Route(rss(web.url(""), [("/news/gone", STORIES[0][0], ""),
                                                      ("/news/down", STORIES[1][0], "")]),
                                    content_type="application/rss+xml", etag='"v1"')
        routes["/gone.xml"] = Route(rss(web.url(""), [("/news/gone", STORIES[0][0], "")]),
                                    content_type="application/rss+xml", etag='"v2"')
        db = f"sqlite:///{tmp_path / 'feeds.db'}"

        def run_both():
            assert run("--feed", web.url("/feed.xml"), "--feed", web.url("/gone.xml"), db=db) == 0
            return capsys.readouterr().err

        for _ in range(GONE_AFTER_RUNS + 1):  # the last within the same day: still asked for
            run_both()
        assert web.hits["/news/gone"] == GONE_AFTER_RUNS + 1
        with store.make_engine(db).begin() as conn:  # as if the first 404 came days ago
            g = store.gone_links.c
            conn.execute(update(store.gone_links).values(
                first_gone_at=g.first_gone_at - timedelta(days=GONE_AFTER_DAYS + 1)))
        skipped = run_both()
        assert web.hits["/news/gone"] == GONE_AFTER_RUNS + 1 and stored(db) == 0
        assert f"1 gone pages skipped (404/410 in {GONE_AFTER_RUNS} runs)" in skipped
        assert "1 feeds unchanged" in run_both()  # gone.xml, complete now; feed.xml retries /news/down
        assert web.hits["/news/down"] == GONE_AFTER_RUNS + 3
        routes["/feed.xml"] = Route(rss(web.url(""), [("/news/gone", STORIES[0][0], STORIES[0][1])]),
                                    content_type="application/rss+xml", etag='"v3"')
        run_both()  # with a summary now: stored, though its page is still gone
    assert stored(db) == 1 and web.hits["/news/gone"] == GONE_AFTER_RUNS + 2


def test_feeds_published_text_unreadable_falls_back_to_the_updated_time():
    from pipeline.feeds import _published

    west = {"published": "sometime on Monday", "updated": "2024-07-01T22:00:00-07:00"}
    assert _published(west).isoformat() == "2024-07-01T22:00:00-07:00"
    assert _published({"published": "Mon, 01 Jul 2024 23:30:00 -0000"}) is None  # no zone, nothing parsed
    assert _published({}) is None
