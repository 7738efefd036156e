"""Bytes to text for the readers in `ingest`: opening plain or gzip files, size limits, decoding, and
streaming lines.

Every input problem comes back as a `Reject` value instead of an exception, so one bad file or line
never stops a batch. Nothing here reads a record file whole: lines are streamed, so a 1 GB JSONL
costs one line of memory.
"""

from __future__ import annotations

import gzip
import html
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from pipeline.models import Reject

GZIP_MAGIC = b"\x1f\x8b"
# .txt and .html are read whole; a "page" larger than this is a dump or a binary, not an article.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# A .json document cannot be streamed with the standard library; past this it must be JSON Lines.
MAX_JSON_BYTES = 256 * 1024 * 1024
# One JSONL/CSV line; a longer one is skipped (and drained in chunks) rather than held in memory.
MAX_LINE_BYTES = 32 * 1024 * 1024
_DRAIN_CHUNK = 1024 * 1024
# Decoded text where more than this share of characters are controls or U+FFFD is binary that a
# charset detector forced into some code page, not text.
MAX_JUNK_SHARE = 0.05
# Encodings whose code units span several bytes including newline bytes: never right for one line.
WIDE_ENCODINGS = re.compile(r"utf_(?:16|32)")
# Detection scores this close count as a tie.
TIE = 0.02
# C0/C1 controls other than tab, newline and carriage return, plus the replacement character.
JUNK_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
# Messages must stay on one line whatever an exception's text contains.
LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")

# Errors from a damaged gzip stream: bad header, corrupt deflate data, or a truncated file.
GZIP_ERRORS = (gzip.BadGzipFile, zlib.error, EOFError)

LineItem = tuple[int, bytes | None]  # (line number, raw bytes or None when over MAX_LINE_BYTES)


def reject(path: str, line: int | None, reason: str, detail: str) -> Reject:
    """A Reject whose message is one line: `path:line: detail`.

    >>> reject("x.jsonl", 17, "bad-json", "broken JSON (Expecting ',' delimiter)").message
    "x.jsonl:17: broken JSON (Expecting ',' delimiter)"
    """
    where = f"{path}:{line}" if line is not None else path
    detail = LINE_BREAKS.sub(" ", detail).strip()
    return Reject(path=path, line=line, reason=reason, message=f"{where}: {detail}")


def strip_gz(name: str) -> str:
    """The file name without a final .gz, lower-cased, for choosing a reader."""
    lowered = name.lower()
    return lowered[:-3] if lowered.endswith(".gz") else lowered


def open_binary(path: str) -> BinaryIO:
    """Open a file for reading bytes, decompressing when it is gzip by name or by magic bytes."""
    with open(path, "rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    if compressed or path.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115 - the caller closes it


def describe(error: BaseException) -> str:
    """A short, one-line account of an exception for a message."""
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return LINE_BREAKS.sub(" ", text)


def read_document(path: str, limit: int | None = None) -> bytes | Reject:
    """The whole (decompressed) content of a document file, at most `limit` bytes, or a Reject."""
    limit = MAX_DOCUMENT_BYTES if limit is None else limit
    try:
        if not path.lower().endswith(".gz") and Path(path).stat().st_size > limit:
            return reject(path, None, "too-large", f"file larger than {limit // 2**20} MB")
        with open_binary(path) as stream:
            raw = stream.read(limit + 1)
    except GZIP_ERRORS as error:
        return reject(path, None, "bad-gzip", f"damaged gzip ({describe(error)})")
    except OSError as error:
        return reject(path, None, "unreadable", f"cannot read ({describe(error)})")
    if len(raw) > limit:
        return reject(path, None, "too-large", f"file larger than {limit // 2**20} MB")
    if not raw:
        return reject(path, None, "empty-file", "empty file")
    return raw


def decode_text(raw: bytes, previous: str | None = None, whole_file: bool = True) -> tuple[str, str] | None:
    """(text, encoding) for some bytes: UTF-8 (BOM or not), then `previous`, then detection.

    `previous` is the encoding detected earlier in the same file, so that a Latin-1 file is not
    re-detected (and perhaps detected differently) on every line. A single line (`whole_file` False)
    is never UTF-16 or UTF-32: splitting at newline bytes has already broken such text. None when
    nothing decodes to text.
    """
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if previous:
        try:
            text = raw.decode(previous)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None and looks_like_text(text):
            return text, previous
    match = _detect(raw, whole_file)
    if match is None:
        return None
    text = str(match)
    return (text, match.encoding) if looks_like_text(text) else None


def _detect(raw: bytes, whole_file: bool):
    """The best charset_normalizer match (imported here: only non-UTF-8 input needs it)."""
    import charset_normalizer

    matches = [
        match
        for match in charset_normalizer.from_bytes(raw)
        if whole_file or not WIDE_ENCODINGS.match(match.encoding)
    ]
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        # Short texts often tie between Windows code pages; English-language news in a legacy
        # encoding is overwhelmingly Windows-1252, so it wins a tie.
        tied = match.chaos <= best.chaos and match.coherence >= best.coherence - TIE
        if match.encoding == "cp1252" and tied:
            return match
    return best


def looks_like_text(text: str) -> bool:
    """False for binary forced through a code page: too many control or replacement characters."""
    if not text:
        return True
    junk = len(JUNK_CHARACTERS.findall(text))
    return junk <= MAX_JUNK_SHARE * len(text)


def iter_raw_lines(path: str) -> Iterator[LineItem | Reject]:
    """Numbered raw lines of a (possibly gzip) file, streamed; a damaged stream ends with a Reject."""
    number = 0
    try:
        stream = open_binary(path)
    except OSError as error:
        yield reject(path, None, "unreadable", f"cannot read ({describe(error)})")
        return
    with stream:
        try:
            while chunk := stream.readline(MAX_LINE_BYTES + 1):
                number += 1
                if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
                    _drain_line(stream)
                    yield number, None
                else:
                    yield number, chunk
        except GZIP_ERRORS as error:
            yield reject(path, number + 1, "bad-gzip", f"damaged gzip ({describe(error)})")
        except OSError as error:
            yield reject(path, number + 1, "unreadable", f"cannot read ({describe(error)})")


def _drain_line(stream: BinaryIO) -> None:
    while chunk := stream.readline(_DRAIN_CHUNK):
        if chunk.endswith(b"\n"):
            return


def iter_text_lines(path: str) -> Iterator[tuple[int, str] | Reject]:
    """Numbered decoded lines (newline kept), with a Reject for each line that cannot be decoded.

    Decoding is per line so that one bad byte costs one record, not the file. A file that yields no
    line with visible characters gives an "empty-file" Reject.
    """
    encoding: str | None = None
    visible = False
    for item in iter_raw_lines(path):
        if isinstance(item, Reject):
            yield item
            return
        number, raw = item
        if raw is None:
            yield reject(path, number, "too-large", f"line longer than {MAX_LINE_BYTES // 2**20} MB")
            continue
        visible = visible or bool(raw.strip())
        decoded = decode_text(raw, encoding, whole_file=False)
        if decoded is None:
            yield reject(path, number, "undecodable", "bytes that decode to no known text encoding")
            continue
        text, found = decoded
        encoding = found if found != "utf-8" else encoding
        yield number, text
    if not visible:
        yield reject(path, None, "empty-file", "empty file (no records)")


class Page(NamedTuple):
    """What a web page says about itself: main text and metadata, each None when not found."""

    text: str
    title: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None


# Markup that holds no reader-visible text, removed whole by the fallback extractor.
INVISIBLE_MARKUP = re.compile(
    r"<(script|style|noscript|template|svg|head)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
# Tags that end a block of text: kept as line breaks so paragraphs stay apart.
BLOCK_TAGS = re.compile(r"<\s*/?\s*(?:p|div|br|h[1-6]|li|tr|td|article|section|blockquote)\b[^>]*>", re.I)
ANY_TAG = re.compile(r"<[^>]*>")
TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
SPACE_RUNS = re.compile(r"[ \t\r\f\v\xa0]+")
# htmldate's own "extensive" search scans the body text for any date-like string; a dateline in the
# text is better found by `clean`, and a guessed date is worse than none.
HTML_DATE_OPTIONS = {"extensive_search": False, "original_date": True}


def extract_html(markup: str) -> Page | None:
    """Main text and metadata of a web page, offline; None when it has no visible text.

    trafilatura finds the main text and metadata; when it finds nothing (short or unusual pages) the
    tags are stripped instead, so that a page with visible text still gives an article.
    """
    page = _trafilatura_page(markup)
    if page is not None:
        return page
    text = strip_tags(markup)
    if not text.strip():
        return None
    title = TITLE_TAG.search(markup)
    title_text = strip_tags(title.group(1)).strip() if title else ""
    return Page(text=text, title=title_text or None)


def _trafilatura_page(markup: str) -> Page | None:
    try:
        import trafilatura  # imported here: it costs 0.1 s at start-up and only HTML needs it

        document = trafilatura.bare_extraction(
            markup,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=dict(HTML_DATE_OPTIONS),
        )
    except Exception:  # noqa: BLE001 - hostile markup can break lxml in many ways; fall back
        return None
    text = getattr(document, "text", None)
    if not text or not text.strip():
        return None
    return Page(
        text=text,
        title=_blank_to_none(document.title),
        date=_blank_to_none(document.date),
        sitename=_blank_to_none(document.sitename),
        url=_blank_to_none(document.url),
    )


def strip_tags(markup: str) -> str:
    """Visible text of some markup, one block a line (a simple fallback, not a parser)."""
    text = INVISIBLE_MARKUP.sub(" ", markup)
    text = BLOCK_TAGS.sub("\n", text)
    text = html.unescape(ANY_TAG.sub(" ", text))
    lines = (SPACE_RUNS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
