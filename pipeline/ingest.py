"""Readers: files and folders of .txt .html .htm .json .jsonl .csv (each optionally gzip) -> Article.

    >>> for item in read_paths(["data/sample", "more/news.jsonl.gz"]):  # doctest: +SKIP
    ...     print(item.message if isinstance(item, Reject) else item.id)

Bad input never raises: a bad line or file becomes a `Reject` with a one-line message naming the file
and line, and the rest of the file and of the batch go on. Texts are returned as read; `clean` removes
boilerplate and finds missing titles and dates.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from pipeline.datelines import parse_date_value
from pipeline.models import Article, Reject
from pipeline.readers import decode_text, describe, extract_html, read_document, reject, strip_gz
from pipeline.records import read_csv, read_json, read_jsonl

Item = Article | Reject


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Item]:
    """Articles and Rejects from files and folders, folders walked recursively in sorted order.

    In folders, files of other types are skipped silently; a file named explicitly with an
    unsupported type gives an "unsupported" Reject, since the user asked for it.
    """
    for given in paths:
        path = os.fspath(given)
        if os.path.isdir(path):
            for found in walk_folder(path):
                yield from read_file(found) if isinstance(found, str) else (found,)
        elif file_reader(path) is None:
            yield reject(path, None, "unsupported", "not a .txt .html .htm .json .jsonl .csv file")
        else:
            yield from read_file(path)


def walk_folder(folder: str) -> Iterator[str | Reject]:
    """Supported files under a folder, sorted by path, hidden files and folders (.git) left out.

    Paths are collected and sorted as a whole, so that "a/deeper/x.txt" comes before "b.txt" and
    runs are reproducible whatever order the file system lists entries in.
    """
    problems: list[OSError] = []
    found = []
    for root, folders, files in os.walk(folder, onerror=problems.append):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [
            os.path.join(root, name)
            for name in files
            if not name.startswith(".") and file_reader(name) is not None
        ]
    yield from sorted(found)
    for problem in problems:
        where = problem.filename or folder
        yield reject(str(where), None, "unreadable", f"cannot list folder ({describe(problem)})")


def file_reader(path: str) -> Callable[[str], Iterator[Item]] | None:
    """The reader for a file name (its extension, ignoring a final .gz), or None if unsupported."""
    _, extension = os.path.splitext(strip_gz(os.path.basename(path)))
    return READERS.get(extension)


def read_file(path: str) -> Iterator[Item]:
    """Articles and Rejects from one file, chosen by extension."""
    reader = file_reader(path)
    if reader is None:
        yield reject(path, None, "unsupported", "not a .txt .html .htm .json .jsonl .csv file")
        return
    yield from reader(path)


def read_txt(path: str) -> Iterator[Item]:
    """A raw paste from a news site: one article, text as pasted; `clean` does the rest."""
    text = _document_text(path)
    if isinstance(text, Reject):
        yield text
    elif not text.strip():
        yield reject(path, None, "no-text", "no text")
    else:
        yield Article(id=path, text=text, origin=path, key=path)


def read_html(path: str) -> Iterator[Item]:
    """A saved web page: main text and metadata extracted offline by trafilatura."""
    markup = _document_text(path)
    if isinstance(markup, Reject):
        yield markup
        return
    page = extract_html(markup)
    if page is None:
        yield reject(path, None, "no-text", "no visible text in the page")
        return
    day, moment = parse_date_value(page.date)
    yield Article(
        id=path,
        key=path,
        text=page.text,
        title=page.title,
        date=day,
        source=page.sitename,
        url=page.url,
        origin=path,
        published_at=moment,
    )


def _document_text(path: str) -> str | Reject:
    raw = read_document(path)
    if isinstance(raw, Reject):
        return raw
    decoded = decode_text(raw)
    if decoded is None:
        return reject(path, None, "undecodable", "bytes that decode to no known text encoding")
    return decoded[0]


def count_rejects(items: Iterable[Item]) -> dict[str, int]:
    """How many Rejects of each reason, most frequent first; Articles are ignored.

    >>> count_rejects([reject("a.jsonl", 1, "bad-json", "x"), reject("a.jsonl", 2, "bad-json", "y")])
    {'bad-json': 2}
    """
    counts = Counter(item.reason for item in items if isinstance(item, Reject))
    return dict(counts.most_common())


READERS: dict[str, Callable[[str], Iterator[Item]]] = {
    ".txt": read_txt, ".html": read_html, ".htm": read_html,
    ".json": read_json, ".jsonl": read_jsonl, ".csv": read_csv,
}  # fmt: skip
