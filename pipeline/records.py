"""Record files: JSON Lines, JSON (one object or a list) and CSV, one article per record.

Fields `id`, `date`, `source`, `url`, `title`, `text` are read and others ignored; a record without an
`id` gets `<path>:<line>`, stable across runs. A bad record becomes a Reject naming its line, and the
rest of the file goes on.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from typing import Protocol

from pipeline.datelines import parse_date_value
from pipeline.models import Article, Reject
from pipeline.readers import MAX_JSON_BYTES, decode_text, describe, iter_text_lines, read_document, reject

Item = Article | Reject
# JSON allows only these four characters as whitespace between values.
JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")
_JSON_DECODER = json.JSONDecoder()


def read_jsonl(path: str) -> Iterator[Item]:
    """One JSON object a line; blank lines are skipped."""
    for item in iter_text_lines(path):
        if isinstance(item, Reject):
            yield item
            continue
        number, line = item
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield reject(path, number, "bad-json", f"broken JSON ({error.msg})")
            continue
        except RecursionError:
            yield reject(path, number, "bad-json", "broken JSON (nested too deeply)")
            continue
        yield record_to_article(value, path, number, f"{path}:{number}")


def read_json(path: str) -> Iterator[Item]:
    """One JSON object, or a list of objects; lines are those where each object starts."""
    text = _json_document(path)
    if isinstance(text, Reject):
        yield text
        return
    used_ids: set[str] = set()
    count = 0
    try:
        for count, (line, value) in enumerate(iter_json_values(text), start=1):
            # Objects of a one-line list share a line, so the fallback id adds the item number.
            fallback = f"{path}:{line}" if f"{path}:{line}" not in used_ids else f"{path}:{line}#{count}"
            used_ids.add(fallback)
            yield record_to_article(value, path, line, fallback, item=count)
    except json.JSONDecodeError as error:
        yield reject(path, error.lineno, "bad-json", f"broken JSON ({error.msg})")
    except RecursionError:
        yield reject(path, None, "bad-json", "broken JSON (nested too deeply)")
    else:
        if count == 0:
            yield reject(path, None, "empty-file", "empty file (an empty list)")


def _json_document(path: str) -> str | Reject:
    raw = read_document(path, MAX_JSON_BYTES)
    if isinstance(raw, Reject):
        return raw
    decoded = decode_text(raw)
    if decoded is None:
        return reject(path, None, "undecodable", "bytes that decode to no known text encoding")
    if not decoded[0].strip():
        return reject(path, None, "empty-file", "empty file")
    return decoded[0]


def iter_json_values(text: str) -> Iterator[tuple[int, object]]:
    """(line, value) for a JSON document holding one value or a list of values.

    The list is walked item by item so that each item has its own line number and the items before
    a syntax error are still read. Raises json.JSONDecodeError where the JSON breaks.
    """
    position = _skip_space(text, 0)
    line, counted = 1, 0
    in_list = text.startswith("[", position)
    if in_list:
        position = _skip_space(text, position + 1)
    while not (in_list and text.startswith("]", position)):
        line, counted = line + text.count("\n", counted, position), position
        value, end = _JSON_DECODER.raw_decode(text, position)
        yield line, value
        position = _skip_space(text, end)
        if not in_list:
            break
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif not text.startswith("]", position):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, position)
    if in_list:
        position = _skip_space(text, position + 1)
    if position != len(text):
        raise json.JSONDecodeError("Extra data", text, position)


def _skip_space(text: str, position: int) -> int:
    return JSON_WHITESPACE.match(text, position).end()  # type: ignore[union-attr]


def read_csv(path: str) -> Iterator[Item]:
    """A CSV (or tab-separated) file with a header row naming at least a `text` column."""
    problems: list[Reject] = []
    lines = _csv_lines(iter_text_lines(path), problems)
    first = next(lines, None)
    if first is None:
        yield from problems
        return
    dialect = "excel-tab" if "\t" in first and "," not in first else "excel"
    reader = csv.reader(_prepend(first, lines), dialect)
    header = _csv_header(path, reader)
    yield from problems
    problems.clear()
    if isinstance(header, Reject):
        yield header
        return
    yield from _csv_records(path, reader, header, problems)


def _csv_header(path: str, reader: _RowReader) -> list[str] | Reject:
    row: list[str] = []
    try:
        while not row:  # blank lines before the header are not a header
            row = next(reader)
    except StopIteration:
        pass
    except csv.Error as error:
        return reject(path, reader.line_num or 1, "bad-csv", f"bad CSV header ({describe(error)})")
    header = [name.strip().lower() for name in row]
    if "text" not in header:
        return reject(path, reader.line_num or 1, "bad-csv", "no 'text' column in the header row")
    return header


class _RowReader(Protocol):
    """What is used of a csv.reader: rows and the count of lines read so far."""

    line_num: int

    def __next__(self) -> list[str]: ...


def _csv_records(path: str, reader: _RowReader, header: list[str], problems: list[Reject]) -> Iterator[Item]:
    previous, records = reader.line_num, 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield from _drain(problems)
            yield reject(path, previous + 1, "bad-csv", f"bad CSV row ({describe(error)})")
            if reader.line_num == previous:  # no progress: the input is exhausted
                break
            previous = reader.line_num
            continue
        start, previous = previous + 1, reader.line_num
        yield from _drain(problems)
        if any(cell.strip() for cell in row):
            records += 1
            record = dict(zip(header, row, strict=False))
            yield record_to_article(record, path, start, f"{path}:{start}")
    yield from _drain(problems)
    if records == 0:
        yield reject(path, None, "empty-file", "no records after the header row")


def _csv_lines(items: Iterator[tuple[int, str] | Reject], problems: list[Reject]) -> Iterator[str]:
    """Decoded lines for the csv module; Rejects go to `problems` and an undecodable line becomes a
    blank one, so that the reader's line count still matches the file's line numbers."""
    for item in items:
        if isinstance(item, Reject):
            problems.append(item)
            if item.line is not None and item.reason in ("undecodable", "too-large"):
                yield "\n"
        else:
            yield item[1]


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _drain(problems: list[Reject]) -> Iterator[Reject]:
    while problems:
        yield problems.pop(0)


MAX_ID_CHARS = 512  # the store's record key column


def record_to_article(value: object, path: str, line: int, fallback_id: str, item: int | None = None) -> Item:
    """An Article from one record's fields (id, date, source, url, title, text); others ignored.

    `item` numbers the records of a JSON list, since several may start on one line.
    """
    where = f" (item {item})" if item is not None else ""
    if not isinstance(value, dict):
        return reject(path, line, "not-an-object", f"not a JSON object (got {_json_type(value)}){where}")
    text = value.get("text")
    if isinstance(text, str):
        text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL, and no article needs one
    if not isinstance(text, str) or not text.strip():
        problem = "no text" if text in (None, "") else "blank or non-string text"
        return reject(path, line, "no-text", problem + where)
    fields = {name: _as_text(value.get(name)) for name in ("id", "title", "source", "url")}
    if any(not _encodable(field) for field in (text, *fields.values())):
        # json.loads accepts lone surrogates ("\ud800"), which no later stage could store.
        return reject(path, line, "undecodable", "invalid unicode escape (lone surrogate)" + where)
    if len(fields["id"] or "") > MAX_ID_CHARS:
        return reject(path, line, "bad-id", f"id longer than {MAX_ID_CHARS} characters{where}")
    fields = {name: field.replace("\x00", "") if field else field for name, field in fields.items()}
    day, moment = parse_date_value(value.get("date"))
    return Article(
        id=fields["id"] or fallback_id,
        key=fields["id"],
        text=text,
        title=fields["title"],
        date=day,
        source=fields["source"],
        url=fields["url"],
        origin=f"{path}:{line}",
        published_at=moment,
    )


def _as_text(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    return text or None


def _encodable(text: str | None) -> bool:
    try:
        (text or "").encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_type(value: object) -> str:
    names = {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), "null" if value is None else type(value).__name__)
