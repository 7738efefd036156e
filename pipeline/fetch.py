"""Polite, robust HTTP GET for feeds and article pages (standard library only).

Every request names the project in its User-Agent, honours robots.txt (RFC 9309: a robots.txt that
is missing allows everything, one that cannot be had for a server error disallows everything), waits
a minimum interval between two requests to one host, follows at most MAX_REDIRECTS redirects, and
gives up after `timeout` seconds of silence. Server errors, 429 and network failures are retried
with exponential back-off; a 4xx is final. A response of the wrong type or over `max_bytes` is
refused without reading it all. Conditional requests (ETag, Last-Modified) turn an unchanged feed
into a 304 with no body.

Failures are values, not exceptions: `get` returns a Failure naming the URL and what went wrong in
one line, so one broken feed or page never stops the others.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from pipeline import __version__

USER_AGENT = f"TensionTracker/{__version__} (news rhetoric research; +https://github.com/tension-tracker)"
MAX_REDIRECTS = 5
RETRIED_STATUSES = {429, 500, 502, 503, 504}
# accept: whatever the server says it sends (robots.txt is often mislabelled), and a larger answer is
# cut at the size limit rather than refused (robots.txt counts only its first 500 KiB).
ANY_TYPE = ()
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: parse at least the first 500 KiB
URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # reserved and already-escaped characters stay; the rest is quoted
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml", "application/x-rss+xml", "text/html", "text/plain")


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    status: int  # 200, or 304 (not modified: no body)
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class Failure:
    url: str
    reason: str  # "HTTP 404", "timed out after 5 s", "not HTML (application/pdf)", ...
    status: int | None = None  # the HTTP status of an error answer

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects come back as responses, so that each hop is counted and checked against robots.txt."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Fetcher:
    timeout: float = 15.0
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry; doubled for each next one
    max_bytes: int = 5_000_000
    min_interval: float = 1.0  # seconds between two requests to one host
    _last_request: dict = field(default_factory=dict)
    _robots: dict = field(default_factory=dict)
    _robots_problems: dict = field(default_factory=dict)  # root: why its robots.txt could not be had
    _opener: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(_NoRedirects()))

    def get(self, url: str, accept: tuple[str, ...] = HTML_TYPES, etag: str | None = None,
            last_modified: str | None = None) -> Page | Failure:
        """The page at `url` after redirects, or why it could not be had."""
        return self._follow(url, accept, etag, last_modified, self.max_bytes, robots=True)

    def _follow(self, url, accept, etag, last_modified, max_bytes, robots: bool) -> Page | Failure:
        """Each hop of a redirect chain checked against robots.txt (when `robots`), at most MAX_REDIRECTS."""
        url = quote(url, safe=URL_SAFE)  # feeds hold IRIs (non-ASCII paths) that http.client cannot send
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                return Failure(url, "not an http(s) URL")
            if robots and not self.allowed(url):
                problem = self._robots_problems.get(_root(url))
                return Failure(url, f"robots.txt unavailable ({problem})" if problem else
                               "disallowed by robots.txt")
            answer = self._request_with_retries(url, accept, etag, last_modified, max_bytes)
            if not isinstance(answer, str):
                return answer
            url = quote(answer, safe=URL_SAFE)  # a redirect's target
        return Failure(url, f"more than {MAX_REDIRECTS} redirects")

    def allowed(self, url: str) -> bool:
        root = _root(url)
        if root not in self._robots:
            self._robots[root] = self._read_robots(root)
        return self._robots[root].can_fetch(USER_AGENT, url)

    def _read_robots(self, root: str) -> urllib.robotparser.RobotFileParser:
        rules = urllib.robotparser.RobotFileParser(root + "/robots.txt")
        # Redirects are followed (http -> https, a www. host), as RFC 9309 asks, and only its first
        # 500 KiB count: a robots.txt is not refused for its type or size.
        answer = self._follow(root + "/robots.txt", ANY_TYPE, None, None, ROBOTS_MAX_BYTES, robots=False)
        if isinstance(answer, Page):
            rules.parse(answer.body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace").splitlines())
        elif answer.reason.startswith("HTTP 4"):
            rules.allow_all = True  # no robots.txt: everything is allowed
        else:
            rules.disallow_all = True  # unreachable or a server error: nothing is (RFC 9309)
            self._robots_problems[root] = answer.reason
        return rules

    def _request_with_retries(self, url, accept, etag, last_modified, max_bytes) -> Page | Failure | str:
        """One URL: a Page, a Failure, or the URL a redirect points to."""
        answer: Page | Failure | str = Failure(url, "not tried")
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            answer, retry = self._request(url, accept, etag, last_modified, max_bytes)
            if not retry:
                break
        return answer

    def _request(self, url, accept, etag, last_modified, max_bytes) -> tuple[Page | Failure | str, bool]:
        self._wait_for_host(url)
        headers = {"User-Agent": USER_AGENT, "Accept": ", ".join(accept + ("*/*;q=0.1",))}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            request = urllib.request.Request(url, headers=headers)
            with self._opener.open(request, timeout=self.timeout) as reply:
                return self._read(url, reply, accept, max_bytes), False
        except urllib.error.HTTPError as error:
            error.close()  # its body (an error page) is not wanted; free the connection
            if error.code in (301, 302, 303, 307, 308) and error.headers.get("Location"):
                return urljoin(url, error.headers["Location"]), False
            if error.code == 304:
                return Page(url, 304, b"", "", etag, last_modified), False
            return Failure(url, f"HTTP {error.code}", error.code), error.code in RETRIED_STATUSES
        except (urllib.error.URLError, OSError) as error:  # network trouble: worth another try
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                return Failure(url, f"timed out after {self.timeout:g} s"), True
            return Failure(url, f"cannot connect ({reason})"), True
        except (http.client.HTTPException, ValueError) as error:  # a malformed answer or URL: final
            return Failure(url, f"broken answer or URL ({type(error).__name__}: {error})"[:200]), False

    def _read(self, url, reply, accept, max_bytes) -> Page | Failure:
        content_type = reply.headers.get_content_type()
        if accept and content_type not in accept:
            return Failure(url, f"refused: {content_type}, not {' or '.join(accept[:2])}")
        declared = reply.headers.get("Content-Length")
        if accept and declared and declared.isdigit() and int(declared) > max_bytes:
            return Failure(url, f"refused: over {max_bytes:,} bytes")
        body = reply.read(max_bytes + 1)  # never more, whatever Content-Length said (or did not)
        if accept and len(body) > max_bytes:
            return Failure(url, f"refused: over {max_bytes:,} bytes")
        return Page(url, reply.status, body, content_type, reply.headers.get("ETag"),
                    reply.headers.get("Last-Modified"))

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc
        wait = self._last_request.get(host, -1e9) + self.min_interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request[host] = time.monotonic()


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
