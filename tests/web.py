"""A real HTTP server on 127.0.0.1 serving canned answers, for the feed and fetch tests (a helper
module, not a test file). Never the internet.

    with canned_web({"/feed.xml": Route(body=rss, content_type="application/rss+xml")}) as web:
        web.url("/feed.xml")      # http://127.0.0.1:PORT/feed.xml
        web.hits["/feed.xml"]     # how many requests it has had
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    etag: str | None = None  # answers 304 to a request that sends it back
    last_modified: str | None = None  # likewise, as If-Modified-Since
    length: bool = True  # False: no Content-Length, the body ends when the connection closes


class CannedWeb:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: Counter = Counter()
        self.agents: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def _handler(self):
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server calls
                web.hits[self.path] += 1
                web.agents.append(self.headers.get("User-Agent", ""))
                route = web.routes.get(self.path, Route(b"not here", status=404))
                time.sleep(route.delay)
                validators = (route.etag, self.headers.get("If-None-Match")), \
                    (route.last_modified, self.headers.get("If-Modified-Since"))
                if any(mine and mine == theirs for mine, theirs in validators):
                    self.send_response(304)
                    self.end_headers()
                    return
                body = route.body.encode("utf-8") if isinstance(route.body, str) else route.body
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.length:
                    self.send_header("Content-Length", str(len(body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):  # a client refusing the rest
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


@contextmanager
def canned_web(routes: dict[str, Route]):
    web = CannedWeb(routes)
    thread = threading.Thread(target=web.server.serve_forever, args=(0.05,), daemon=True)  # quick shutdown
    thread.start()
    try:
        yield web
    finally:
        web.server.shutdown()
        web.server.server_close()
