"""Property tests: whatever bytes arrive, ingest yields Articles with text or one-line Rejects, never
an exception, and cleaning what it yields never fails either."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.clean import clean_article
from pipeline.ingest import read_paths
from pipeline.models import Article, Reject

REASONS = {
    "bad-json", "not-an-object", "no-text", "undecodable", "bad-gzip", "unreadable", "empty-file",
    "bad-csv", "too-large", "unsupported",
}  # fmt: skip
EXTENSIONS = [".txt", ".html", ".json", ".jsonl", ".csv"]


# One folder for the whole module: hypothesis reuses it across examples (function-scoped tmp_path
# would be shared between examples anyway, which hypothesis warns about).
def limits(examples: int) -> settings:
    """Example counts sized so that the whole module runs in well under 20 seconds."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


def check_items(path: Path) -> list[Article | Reject]:
    """Read one file and assert the contract every item must keep."""
    items = list(read_paths([path]))
    for item in items:
        if isinstance(item, Reject):
            assert item.reason in REASONS
            assert item.path == str(path)
            assert item.message.startswith(str(path))
            assert "\n" not in item.message and "\r" not in item.message
        else:
            assert isinstance(item, Article)
            assert item.text.strip()
            assert item.id and item.origin.startswith(str(path))
            assert item.published_at is None or item.date is not None
            clean_article(item)
    return items


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40))
records = st.dictionaries(
    st.sampled_from(["id", "date", "source", "url", "title", "text", "extra"]),
    st.one_of(
        scalars, st.lists(scalars, max_size=3), st.sampled_from(["2019-02-30", "2019-12-21T17:30:00+05:30"])
    ),
    max_size=7,
)
json_lines = st.lists(
    st.one_of(
        records.map(json.dumps),
        records.map(lambda record: json.dumps(record)[: len(json.dumps(record)) // 2]),
        st.text(max_size=60),
        st.sampled_from(["", "[]", "null", "{", '{"text": "\\ud800"}', "[" * 5000]),
    ),
    max_size=12,
)
cp1252_text = st.text(st.characters(codec="cp1252", exclude_categories=["Cs"]), min_size=1, max_size=300)


@pytest.mark.parametrize("extension", [*EXTENSIONS, ".jsonl.gz"])
@limits(150)
@given(data=st.binary(max_size=1500))
def test_ingest_properties_random_bytes_never_raise(folder, extension, data):
    check_items(write(folder, "random" + extension, data))


@pytest.mark.parametrize("extension", [".jsonl", ".json", ".csv", ".txt"])
@limits(120)
@given(lines=json_lines, cut=st.floats(0, 1))
def test_ingest_properties_truncated_gzip_never_raises(folder, extension, lines, cut):
    compressed = gzip.compress("\n".join(lines).encode("utf-8", "surrogatepass"))
    check_items(write(folder, "cut" + extension + ".gz", compressed[: int(len(compressed) * cut)]))


@limits(400)
@given(lines=json_lines, noise=st.binary(max_size=8), position=st.integers(0, 10_000))
def test_ingest_properties_json_like_lines_never_raise(folder, lines, noise, position):
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    position %= len(raw) + 1
    raw = raw[:position] + noise + raw[position:]
    check_items(write(folder, "lines.jsonl", raw))
    check_items(write(folder, "document.json", raw))
    check_items(write(folder, "list.json", b"[" + b",".join(raw.split(b"\n")) + b"]"))


@limits(250)
@given(text=cp1252_text, encoding=st.sampled_from(["cp1252", "latin-1"]))
def test_ingest_properties_legacy_encodings_never_raise(folder, text, encoding):
    raw = text.encode(encoding, "replace")
    txt = check_items(write(folder, "legacy.txt", raw))
    assert len(txt) == 1
    record = json.dumps({"text": text}, ensure_ascii=False).encode(encoding, "replace")
    check_items(write(folder, "legacy.jsonl", record + b"\n" + record))
    check_items(write(folder, "legacy.csv", b"id,text\n1," + raw + b"\n"))


@limits(300)
@given(
    header=st.lists(st.sampled_from(["id", "text", "date", "title", "x", "", "TEXT "]), max_size=5),
    rows=st.lists(st.lists(st.text(max_size=30), max_size=6), max_size=8),
    delimiter=st.sampled_from([",", "\t", ";"]),
    cut=st.floats(0, 1),
)
def test_ingest_properties_random_csv_never_raises(folder, header, rows, delimiter, cut):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerows([header, *rows])
    raw = buffer.getvalue().encode("utf-8", "surrogatepass")
    items = check_items(write(folder, "random.csv", raw[: int(len(raw) * cut)]))
    assert all(isinstance(item, Reject) or item.text.strip() for item in items)


@limits(300)
@given(
    pieces=st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from([
                "Advertisement", "• share", "Read - More news", "Published 17:30 IST, December 21st 2019",
                "By Ann Lee", "null | Image: self", "century.The end", "\n\n", "\r\n", "  ", "U.S.", ", ,  ",
                "Follow: Icon", "Korea", "Feb 30, 2019 10:00 GMT", '"quoted."Next',
            ]),
        ),
        min_size=1,
        max_size=25,
    )
)  # fmt: skip
def test_ingest_properties_cleaning_is_safe_and_idempotent(pieces):
    text = "\n".join(pieces)
    if not text.strip():
        return
    once = clean_article(Article(id="p", text=text))
    assert "\r" not in once.text and "\n\n\n" not in once.text
    assert once.text == once.text.strip()
    assert clean_article(once) == once
