"""The polite fetcher against a real local server: status, retries, timeouts, redirects, types, sizes,
robots.txt, conditional requests, rate limit and user agent."""

import time

import pytest

from pipeline.fetch import FEED_TYPES, MAX_REDIRECTS, USER_AGENT, Failure, Fetcher, Page
from tests.web import Route, canned_web

PAGE = "<html><head><title>Talks</title></head><body><p>Kestria and Valdoria met.</p></body></html>"
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def quick(**options) -> Fetcher:
    return Fetcher(**({"timeout": 0.5, "retries": 1, "backoff": 0.05, "min_interval": 0.0} | options))


@pytest.fixture
def web():
    routes = {
        "/robots.txt": Route(ROBOTS, content_type="text/plain"),
        "/page": Route(PAGE),
        "/private/page": Route(PAGE),
        "/missing": Route("gone", status=404),
        "/broken": Route("oops", status=500),
        "/slow": Route(PAGE, delay=1.5),
        "/moved": Route(status=301, headers={"Location": "/page"}),
        "/loop": Route(status=302, headers={"Location": "/loop"}),
        "/report.pdf": Route(b"%PDF-1.4", content_type="application/pdf"),
        "/huge": Route("<p>" + "x" * 200_000 + "</p>"),
        "/feed": Route("<rss/>", content_type="application/rss+xml", etag='"v1"'),
    }
    with canned_web(routes) as server:
        yield server


def test_fetch_a_page_names_the_project(web):
    page = quick().get(web.url("/page"))
    assert isinstance(page, Page) and page.status == 200 and b"Kestria" in page.body
    assert set(web.agents) == {USER_AGENT} and "TensionTracker/" in USER_AGENT


@pytest.mark.parametrize("path, reason, tries", [
    ("/missing", "HTTP 404", 1),  # a 4xx is final
    ("/broken", "HTTP 500", 2),  # a server error is retried, then reported
    ("/slow", "timed out after 0.5 s", 2),
    ("/report.pdf", "refused: application/pdf, not text/html or application/xhtml+xml", 1),
    ("/huge", "refused: over 100,000 bytes", 1),
    ("/private/page", "disallowed by robots.txt", 0),
    ("/loop", f"more than {MAX_REDIRECTS} redirects", MAX_REDIRECTS + 1),
])
def test_fetch_failures_are_one_line_with_the_url(web, path, reason, tries):
    began = time.monotonic()
    answer = quick(max_bytes=100_000).get(web.url(path))
    assert isinstance(answer, Failure) and str(answer) == f"{web.url(path)}: {reason}"
    assert web.hits[path] == tries
    assert time.monotonic() - began < 6


def test_fetch_follows_a_redirect(web):
    page = quick().get(web.url("/moved"))
    assert isinstance(page, Page) and page.url == web.url("/page") and b"Kestria" in page.body


def test_fetch_conditional_request_gives_304_without_body(web):
    fetcher = quick()
    first = fetcher.get(web.url("/feed"), accept=FEED_TYPES)
    assert first.status == 200 and first.etag == '"v1"'
    again = fetcher.get(web.url("/feed"), accept=FEED_TYPES, etag=first.etag)
    assert again.status == 304 and again.body == b""


def test_fetch_waits_between_requests_to_one_host(web):
    fetcher = quick(min_interval=0.3)
    began = time.monotonic()
    for _ in range(3):
        fetcher.get(web.url("/page"))
    assert time.monotonic() - began >= 0.6  # robots.txt, then three pages: three waits at least


def test_fetch_unreachable_host_is_a_failure_not_an_exception():
    answer = quick().get("http://127.0.0.1:9/page")  # the discard port: nothing listens
    assert isinstance(answer, Failure) and answer.reason.startswith("robots.txt unavailable (cannot connect")


def test_fetch_robots_missing_allows_everything():
    with canned_web({"/page": Route(PAGE)}) as server:
        assert isinstance(quick().get(server.url("/page")), Page)
        assert server.hits["/robots.txt"] == 1


def test_fetch_robots_server_error_disallows_everything():
    with canned_web({"/robots.txt": Route("down", status=503), "/page": Route(PAGE)}) as server:
        assert quick().get(server.url("/page")).reason == "robots.txt unavailable (HTTP 503)"
        assert server.hits["/page"] == 0


def test_fetch_last_modified_gives_304_without_body():
    moment = "Tue, 02 Jul 2024 09:00:00 GMT"
    routes = {"/feed": Route("<rss/>", content_type="application/rss+xml", last_modified=moment)}
    with canned_web(routes) as server:
        fetcher = quick()
        first = fetcher.get(server.url("/feed"), accept=FEED_TYPES)
        assert first.status == 200 and first.last_modified == moment
        again = fetcher.get(server.url("/feed"), accept=FEED_TYPES, last_modified=first.last_modified)
        assert again.status == 304 and again.body == b"" and server.hits["/feed"] == 2


def test_fetch_huge_page_without_length_is_refused_after_the_cap():
    with canned_web({"/huge": Route("<p>" + "x" * 200_000 + "</p>", length=False)}) as server:
        answer = quick(max_bytes=100_000).get(server.url("/huge"))
    assert str(answer) == f"{server.url('/huge')}: refused: over 100,000 bytes"


def test_fetch_robots_redirect_is_followed_whatever_its_type():
    """robots.txt moved (as from http to https) and served as octet-stream still counts."""
    routes = {"/robots.txt": Route(status=301, headers={"Location": "/policy/robots.txt"}),
              "/policy/robots.txt": Route(ROBOTS, content_type="application/octet-stream"),
              "/page": Route(PAGE), "/private/page": Route(PAGE)}
    with canned_web(routes) as server:
        fetcher = quick()
        assert isinstance(fetcher.get(server.url("/page")), Page)
        assert fetcher.get(server.url("/private/page")).reason == "disallowed by robots.txt"
        assert server.hits["/policy/robots.txt"] == 1 and server.hits["/private/page"] == 0


def test_fetch_link_with_non_ascii_characters_is_sent_escaped():
    with canned_web({"/news/%C3%A9t%C3%A9": Route(PAGE)}) as server:
        assert isinstance(quick().get(server.url("/news/été")), Page)
