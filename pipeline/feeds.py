"""News feeds as input: `run --feed URL` and `run --feeds FILE` read RSS/Atom feeds, fetch each new
item's page and extract its text and date, and hand the runner Articles.

An item is new when its link is not stored yet (one query per feed); a text already stored from
another link on the same day is caught later by the runner's content hash. When the page cannot be
had (an error, refused type or size, robots.txt) the item falls back to the feed's own summary and
date, and the failure is reported; an item with neither is reported and left for the next run. A feed that has
not changed since the last run answers 304 to a conditional request and costs nothing more.

Failures are reported one line each, status and URL; they never stop the other feeds and items,
and they do not change the exit code (a broken feed is the web's state, not the user's mistake).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from pipeline.datelines import parse_date_value
from pipeline.fetch import FEED_TYPES, HTML_TYPES, Failure, Fetcher, Page
from pipeline.models import Article
from pipeline.readers import decode_text, extract_html, strip_tags

# An item page that answered one of these in GONE_AFTER_RUNS runs in a row, over at least
# GONE_AFTER_DAYS, with no summary to store instead, is not asked for again: a link that is wrong
# for good would otherwise cost a request and a failure line every run, and keep its feed from ever
# being asked conditionally. Runs alone would give up on a page embargoed for a few minutes.
GONE_STATUSES = (404, 410)
GONE_AFTER_RUNS, GONE_AFTER_DAYS = 3, 1
# A gone page that no feed has listed for this long is forgotten, so that the table does not grow
# for ever with links feeds dropped long ago; one a feed still lists is seen each run (asked for,
# or skipped as gone) and kept. News feeds drop an item within days or weeks, so a month forgets
# only dead links. A feed unchanged for a month (answering 304, its items unread) has its gone
# pages forgotten too: they cost what a new gone page costs, once more.
GONE_FORGET_DAYS = 30


class FeedListError(ValueError):
    """A line of a feed list that is not an http(s) URL (the message names the file and line)."""


@dataclass
class FeedReport:
    """What a run of feeds met: one line per failure, and the validators to send next time."""

    failures: list[str] = field(default_factory=list)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # url: etag, date
    unchanged: int = 0  # feeds that answered 304
    gone: dict[str, int] = field(default_factory=dict)  # item page: 404 or 410, nothing stored instead
    answered: set[str] = field(default_factory=set)  # item pages that answered otherwise: not gone
    skipped_gone: set[str] = field(default_factory=set)  # item pages not asked for: gone


def feed_urls(feeds: list[str], lists: list[str]) -> list[str]:
    """The feeds named one by one, then those of each list file, each once, in order."""
    urls = list(feeds) + [url for path in lists for url in read_feed_list(path)]
    return list(dict.fromkeys(urls))


def read_feed_list(path: str) -> list[str]:
    """The URLs of a feed list: one a line; `#` starts a comment; blank lines are ignored."""
    urls = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            url = line.split("#", 1)[0].strip()
            if not url:
                continue
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
                raise FeedListError(f"{path}:{number}: not an http(s) URL: {url[:80]}")
            urls.append(url)
    return urls


Validators = dict[str, tuple[str | None, str | None]]  # feed URL: (ETag, Last-Modified)


def feed_articles(urls: list[str], fetcher: Fetcher, known_urls: Callable[[list[str]], set[str]],
                  validators: Validators, report: FeedReport,
                  gone_urls: Callable[[list[str]], set[str]] = lambda links: set()) -> Iterator[Article]:
    """The new items of every feed, as Articles, in feed order; failures go to `report`.

    A link is fetched once a run, even when several feeds carry it, and an item without a summary
    not at all once `gone_urls` names its link (a page that answered 404 or 410 run after run). A
    feed's validators are kept only when every new item gave an article or is gone: otherwise the
    next run would get a 304 and never retry the missing ones."""
    seen: set[str] = set()
    for url in urls:
        etag, modified = validators.get(url, (None, None))
        answer = fetcher.get(url, accept=FEED_TYPES, etag=etag, last_modified=modified)
        if isinstance(answer, Failure):
            report.failures.append(str(answer))
            continue
        if answer.status == 304:
            report.unchanged += 1
            continue
        items = _parse_feed(answer, report)
        if items is None:
            continue
        stored = known_urls([item.link for item in items])
        gone = gone_urls([item.link for item in items if item.link not in stored and not item.summary])
        complete = True
        for item in items:
            if item.link in gone and not item.summary:
                report.skipped_gone.add(item.link)
            elif item.link not in stored and item.link not in seen:
                seen.add(item.link)
                article = _item_article(item, fetcher, report)
                complete = complete and article is not None
                if article is not None:
                    yield article
        if complete:
            report.validators[url] = (answer.etag, answer.last_modified)  # after its items were read


@dataclass(frozen=True)
class Item:
    link: str
    title: str | None
    summary: str
    published: datetime | None
    feed_title: str | None
    feed_url: str


def _parse_feed(page: Page, report: FeedReport) -> list[Item] | None:
    import feedparser  # imported here: only runs with feeds need it

    parsed = feedparser.parse(page.body, response_headers={"content-location": page.url})
    title = parsed.feed.get("title") or urlsplit(page.url).netloc
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if link and urlsplit(link).scheme in ("http", "https"):
            summary = strip_tags(entry.get("summary", ""))
            items.append(Item(link, entry.get("title"), summary, _published(entry), title, page.url))
    if not items and parsed.get("bozo"):  # feedparser reads what it can of a malformed feed
        why = str(parsed.get("bozo_exception", "malformed")).splitlines()[0][:120]
        report.failures.append(f"{page.url}: not a feed ({why})")
        return None
    return items


def _published(entry) -> datetime | None:
    """When the item was published (else updated), in the zone the feed wrote it in: its day is the
    outlet's day, as for articles read from files. feedparser's parsed times are in UTC, where an
    evening story west of Greenwich falls on the next day; they serve when the feed's own text
    cannot be read here, or gives no zone."""
    for key in ("published", "updated"):
        parsed = entry.get(f"{key}_parsed")
        moment = _zoned(entry.get(key)) or (datetime.fromtimestamp(calendar.timegm(parsed), UTC)
                                            if parsed else None)
        if moment:
            return moment
    return None


def _zoned(text: str | None) -> datetime | None:
    """An RSS (RFC 822) or Atom (RFC 3339) time with its offset; None without one or unreadable."""
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            return None
    return moment if moment.tzinfo else None  # "-0000" means "zone unknown"


def _item_article(item: Item, fetcher: Fetcher, report: FeedReport) -> Article | None:
    """The item's page as an Article, else its summary (the failure reported), else None."""
    answer = fetcher.get(item.link, accept=HTML_TYPES)
    page = None
    if isinstance(answer, Failure):
        report.failures.append(str(answer) + (" (the feed's summary stored instead)" if item.summary else ""))
        if answer.status in GONE_STATUSES and not item.summary:
            report.gone[item.link] = answer.status
        elif answer.status is not None:  # a timeout says nothing of whether the page is there
            report.answered.add(item.link)
    else:
        report.answered.add(item.link)
        decoded = decode_text(answer.body)
        page = extract_html(decoded[0]) if decoded else None
        if page is None and not item.summary:
            report.failures.append(f"{item.link}: no text in the page")
    if page is None and not item.summary:
        return None
    day, moment = parse_date_value(page.date) if page and page.date else (None, None)
    if day is None and item.published:  # the page did not say when: the feed did
        day, moment = item.published.date(), item.published
    return Article(
        id=item.link, key=item.link, url=item.link, origin=item.link,
        text=page.text if page else item.summary,
        title=(page.title if page else None) or item.title,
        date=day, published_at=moment, source=item.feed_title,
    )

