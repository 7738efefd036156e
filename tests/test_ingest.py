"""Readers: every format, gzip, folders, dates, and every reject reason with its one-line message."""

from __future__ import annotations

import gzip
import json
import random
import tracemalloc
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipeline import readers
from pipeline.ingest import count_rejects, read_paths
from pipeline.models import Article, Reject

SHARED_DATA = Path(__file__).parents[2] / "shared" / "data"
PARAGRAPH = "Officials in Lisbon said the fishing talks would resume on Monday after a two-week pause."


def write(folder: Path, name: str, content: str | bytes) -> str:
    """Write a file (gzip-compressed when the name ends with .gz) and return its path as a string."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return str(path)


def read(*paths: str) -> list[Article | Reject]:
    return list(read_paths(paths))


def only(items: list[Article | Reject]) -> Article | Reject:
    assert len(items) == 1, items
    return items[0]


def jsonl(*records: object) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour talks resume | Tidewater Post</title>
<meta property="og:title" content="Harbour talks resume">
<meta property="og:site_name" content="Tidewater Post">
<meta property="og:url" content="https://tidewater.example/harbour-talks">
<meta property="article:published_time" content="2021-03-04T08:15:00+09:00">
<script>var tracker = 1;</script></head>
<body><nav><a href="/">Home</a></nav><article><h1>Harbour talks resume</h1>
<p>{PARAGRAPH}</p><p>Union leaders said they expected a long night of bargaining over quotas.</p>
</article><footer>Contact us</footer></body></html>"""


@pytest.mark.parametrize(
    ("name", "content", "expected_id", "expected_origin"),
    [
        ("note.txt", f"Advertisement\n\n{PARAGRAPH}\n", "{path}", "{path}"),
        ("page.html", PAGE, "{path}", "{path}"),
        ("page.htm", PAGE, "{path}", "{path}"),
        ("one.json", json.dumps({"id": "j1", "text": PARAGRAPH}), "j1", "{path}:1"),
        ("list.json", json.dumps([{"id": "j1", "text": PARAGRAPH}], indent=1), "j1", "{path}:2"),
        ("lines.jsonl", jsonl({"id": "l1", "text": PARAGRAPH}), "l1", "{path}:1"),
        ("table.csv", f'id,text\nc1,"{PARAGRAPH}"\n', "c1", "{path}:2"),
        ("table.csv", f"id\ttext\nc1\t{PARAGRAPH}\n", "c1", "{path}:2"),
    ],
)
def test_ingest_reads_each_format(tmp_path, name, content, expected_id, expected_origin):
    path = write(tmp_path, name, content)
    article = only(read(path))
    assert isinstance(article, Article)
    assert PARAGRAPH in article.text
    assert article.id == expected_id.format(path=path)
    assert article.origin == expected_origin.format(path=path)


def test_ingest_txt_keeps_the_raw_paste(tmp_path):
    raw = "sb.tracker\nAdvertisement\n\nHeadline here\n\n" + PARAGRAPH + "\n"
    article = only(read(write(tmp_path, "paste.txt", raw)))
    assert article.text == raw and article.title is None and article.date is None


def test_ingest_html_takes_text_and_metadata_from_the_page(tmp_path):
    article = only(read(write(tmp_path, "page.html", PAGE)))
    assert article.title == "Harbour talks resume"
    assert article.source == "Tidewater Post"
    assert article.url == "https://tidewater.example/harbour-talks"
    assert article.date == date(2021, 3, 4)
    assert "var tracker" not in article.text and "Contact us" not in article.text


def test_ingest_html_falls_back_to_stripping_tags(tmp_path):
    page = (
        "<html><head><title>Tiny</title><style>p {color: red}</style></head><body><p>Ports shut.</p></body>"
    )
    article = only(read(write(tmp_path, "tiny.html", page)))
    assert article.text == "Ports shut." and article.title == "Tiny"


def test_ingest_html_without_visible_text_is_rejected(tmp_path):
    path = write(
        tmp_path, "blank.html", "<html><head><script>var a = 1;</script></head><body> </body></html>"
    )
    assert only(read(path)).reason == "no-text"


@pytest.mark.parametrize("name", ["news.jsonl.gz", "news.jsonl", "NEWS.JSONL.GZ"])
def test_ingest_reads_gzip_by_extension_or_magic_bytes(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(gzip.compress(jsonl({"text": PARAGRAPH}, {"text": "Second story."}).encode()))
    items = read(str(path))
    assert [item.text for item in items] == [PARAGRAPH, "Second story."]


@pytest.mark.parametrize("name", ["paste.txt.gz", "page.html.gz", "table.csv.gz", "doc.json.gz"])
def test_ingest_reads_every_format_gzipped(tmp_path, name):
    content = {
        "paste.txt.gz": PARAGRAPH,
        "page.html.gz": PAGE,
        "table.csv.gz": f"text\n{PARAGRAPH}\n",
        "doc.json.gz": json.dumps({"text": PARAGRAPH}),
    }[name]
    assert PARAGRAPH in only(read(write(tmp_path, name, content))).text


def test_ingest_walks_folders_recursively_in_sorted_order(tmp_path):
    write(tmp_path, "b/second.txt", "Second.")
    write(tmp_path, "a/deeper/first.jsonl", jsonl({"id": "first", "text": "First."}))
    write(tmp_path, "c.csv", "text\nThird.\n")
    write(tmp_path, "a/notes.md", "not an article")
    write(tmp_path, "a/image.png", b"\x89PNG\r\n")
    write(tmp_path, ".hidden/secret.txt", "hidden")
    texts = [item.text for item in read(str(tmp_path))]
    assert texts == ["First.", "Second.", "Third."]


def test_ingest_accepts_several_paths_and_path_objects(tmp_path):
    first = write(tmp_path, "one.txt", "One.")
    second = write(tmp_path, "two.txt", "Two.")
    assert [item.text for item in read_paths([Path(second), first])] == ["Two.", "One."]


def test_ingest_records_take_known_fields_and_ignore_others(tmp_path):
    record = {"id": 7, "text": PARAGRAPH, "title": " Talks ", "source": "Wire", "url": "https://x.example/a",
              "corpus": "ignored", "date": "2021-03-04"}  # fmt: skip
    article = only(read(write(tmp_path, "r.jsonl", jsonl(record))))
    assert (article.id, article.title, article.source, article.url) == ("7", "Talks", "Wire", record["url"])
    assert article.date == date(2021, 3, 4) and article.published_at is None


@pytest.mark.parametrize(
    ("name", "content", "expected_ids"),
    [
        ("a.jsonl", jsonl({"text": "One."}, {"text": "Two.", "id": ""}), ["{path}:1", "{path}:2"]),
        ("a.csv", 'text\n"One\nstill one"\nTwo.\n', ["{path}:2", "{path}:4"]),
        ("a.json", json.dumps([{"text": "One."}, {"text": "Two."}], indent=1), ["{path}:2", "{path}:5"]),
        ("a.json", json.dumps([{"text": "One."}, {"text": "Two."}]), ["{path}:1", "{path}:1#2"]),
    ],
)
def test_ingest_records_without_id_get_a_stable_path_line_id(tmp_path, name, content, expected_ids):
    path = write(tmp_path, name, content)
    assert [item.id for item in read(path)] == [expected.format(path=path) for expected in expected_ids]
    assert [item.id for item in read(path)] == [item.id for item in read(path)]


IST = timezone(timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("value", "expected_date", "expected_moment"),
    [
        ("2019-12-21", date(2019, 12, 21), None),
        ("2019-12-21T17:30:00+05:30", date(2019, 12, 21), datetime(2019, 12, 21, 17, 30, tzinfo=IST)),
        ("2019-12-21T23:30:00-05:00", date(2019, 12, 21), datetime(2019, 12, 22, 4, 30, tzinfo=UTC)),
        ("2019-12-21T17:30:00Z", date(2019, 12, 21), datetime(2019, 12, 21, 17, 30, tzinfo=UTC)),
        ("2019-12-21 17:30", date(2019, 12, 21), datetime(2019, 12, 21, 17, 30)),
        ("Sat, 21 Dec 2019 09:10:00 GMT", date(2019, 12, 21), datetime(2019, 12, 21, 9, 10, tzinfo=UTC)),
        ("December 21, 2019", date(2019, 12, 21), None),
        ("2019-02-30", None, None),
        ("2019-02-30T10:00:00Z", None, None),
        ("2019-13-01", None, None),
        ("yesterday", None, None),
        ("", None, None),
        (None, None, None),
        (20191221.5, None, None),
    ],
)
def test_ingest_parses_record_dates_without_inventing_them(tmp_path, value, expected_date, expected_moment):
    record = {"text": PARAGRAPH} if value is None else {"text": PARAGRAPH, "date": value}
    article = only(read(write(tmp_path, "d.jsonl", jsonl(record))))
    assert article.date == expected_date
    assert article.published_at == expected_moment
    if expected_moment is not None:
        assert (article.published_at.tzinfo is None) == (expected_moment.tzinfo is None)


def test_ingest_csv_dates_are_parsed_too(tmp_path):
    article = only(read(write(tmp_path, "d.csv", "text,date\nPorts shut.,2019-12-21T17:30:00+05:30\n")))
    assert article.date == date(2019, 12, 21) and article.published_at.utcoffset() == timedelta(hours=5.5)


WORDS = ["port", "talks", "quota", "union", "harbour", "minister", "ferry", "strike", "fleet"]
_GOOD_GZIP = gzip.compress(
    jsonl(*({"text": " ".join(random.Random(n).choices(WORDS, k=60))} for n in range(400))).encode()
)
BAD_GZIP = _GOOD_GZIP[: len(_GOOD_GZIP) // 2]  # cut mid-stream, as by an interrupted download


@pytest.mark.parametrize(
    ("name", "content", "reason", "line", "detail"),
    [
        (
            "x.jsonl",
            '{"text": "ok"}\n{"text": "a" "b"}\n',
            "bad-json",
            2,
            "broken JSON (Expecting ',' delimiter)",
        ),
        ("x.jsonl", '{"text": "ok"}\n[1, 2]\n', "not-an-object", 2, "not a JSON object (got a list)"),
        ("x.jsonl", '{"text": "ok"}\n{"title": "t"}\n', "no-text", 2, "no text"),
        ("x.jsonl", '{"text": "ok"}\n{"text": "   "}\n', "no-text", 2, "blank or non-string text"),
        (
            "x.jsonl",
            b'{"text": "ok"}\n\x00\x01\x02\x03\x04\x05\x06\xff\xfe\n',
            "undecodable",
            2,
            "bytes that",
        ),
        (
            "x.jsonl",
            '{"text": "ok"}\n' + "[" * 100_000 + "\n",
            "bad-json",
            2,
            "broken JSON (nested too deeply)",
        ),
        ("x.jsonl", '{"text": "ok"}\n{"text": "\\ud800"}\n', "undecodable", 2, "invalid unicode escape"),
        ("x.jsonl.gz", BAD_GZIP, "bad-gzip", None, "damaged gzip"),
        ("x.txt.gz", b"\x1f\x8b\x08\x00 not really gzip", "bad-gzip", None, "damaged gzip"),
        ("x.jsonl", "", "empty-file", None, "empty file"),
        ("x.jsonl", "\n  \n", "empty-file", None, "empty file"),
        ("x.txt", "", "empty-file", None, "empty file"),
        ("x.txt", " \n\t\n", "no-text", None, "no text"),
        ("x.txt", bytes(range(256)) * 4, "undecodable", None, "bytes that"),
        ("x.json", "", "empty-file", None, "empty file"),
        ("x.json", "[]", "empty-file", None, "empty file"),
        ("x.json", '[{"text": "ok"},\n {"text": "ok"}\n {"text": "ok"}]', "bad-json", 3, "broken JSON"),
        ("x.json", '"just a string"', "not-an-object", 1, "not a JSON object (got a string)"),
        ("x.json", '{"text": "ok"} trailing', "bad-json", 1, "broken JSON (Extra data)"),
        ("x.json", "[" * 100_000, "bad-json", None, "broken JSON (nested too deeply)"),
        ("x.csv", "title,body\nA,B\n", "bad-csv", 1, "no 'text' column in the header row"),
        ("x.csv", 'text\nok\n"' + "x" * 200_000 + '"\nok\n', "bad-csv", 3, "bad CSV row (field larger"),
        ("x.csv", "id,text\n", "empty-file", None, "no records after the header row"),
        ("x.csv", "id,text\n1,ok\n2,\n", "no-text", 3, "no text"),
    ],
)
def test_ingest_rejects_bad_input_with_a_one_line_message(tmp_path, name, content, reason, line, detail):
    path = write(tmp_path, name, content) if not name.endswith(".gz") else str(tmp_path / name)
    if name.endswith(".gz"):
        Path(path).write_bytes(content)
    rejects = [item for item in read(path) if isinstance(item, Reject)]
    assert [item.reason for item in rejects] == [reason], rejects
    problem = rejects[0]
    where = f"{path}:{problem.line}" if problem.line is not None else path
    assert problem.path == path
    assert problem.message.startswith(f"{where}: {detail}")
    assert "\n" not in problem.message
    if line is not None:
        assert problem.line == line


def test_ingest_bad_json_message_is_exactly_path_line_and_reason(tmp_path):
    path = write(tmp_path, "x.jsonl", '{"text": "a"}\n' * 16 + '{"text": "a" "b"}\n')
    problem = read(path)[-1]
    assert problem.message == f"{path}:17: broken JSON (Expecting ',' delimiter)"


def test_ingest_missing_and_unsupported_files_are_rejected(tmp_path):
    missing, unsupported = str(tmp_path / "gone.txt"), write(tmp_path, "notes.md", "# notes")
    items = read(missing, unsupported)
    assert [(item.reason, item.message) for item in items] == [
        ("unreadable", f"{missing}: cannot read (No such file or directory)"),
        ("unsupported", f"{unsupported}: not a .txt .html .htm .json .jsonl .csv file"),
    ]


def test_ingest_oversized_documents_and_lines_are_rejected(tmp_path, monkeypatch):
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(readers.MAX_DOCUMENT_BYTES + 1)  # sparse: no 20 MB written
    assert only(read(str(big))).reason == "too-large"
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 100)
    path = write(tmp_path, "long.jsonl", jsonl({"text": "x" * 500}, {"text": "short"}))
    items = read(path)
    assert [item.reason if isinstance(item, Reject) else item.text for item in items] == [
        "too-large",
        "short",
    ]
    assert items[0].message == f"{path}:1: line longer than 0 MB"


def test_ingest_batch_goes_on_after_bad_lines_and_files(tmp_path):
    write(tmp_path, "1.jsonl", jsonl({"text": "A."}) + "{broken\n" + jsonl([1]) + jsonl({"text": "B."}))
    write(tmp_path, "2.txt", "")
    (tmp_path / "3.jsonl.gz").write_bytes(BAD_GZIP)
    write(tmp_path, "4.csv", "text\nC.\n")
    items = read(str(tmp_path))
    assert [item.text for item in items if isinstance(item, Article)][:2] == ["A.", "B."]
    assert [item.text for item in items if isinstance(item, Article)][-1] == "C."
    assert count_rejects(items) == {"bad-json": 1, "not-an-object": 1, "empty-file": 1, "bad-gzip": 1}


def test_ingest_truncated_gzip_keeps_the_records_before_the_damage(tmp_path):
    (tmp_path / "cut.jsonl.gz").write_bytes(BAD_GZIP)
    items = read(str(tmp_path / "cut.jsonl.gz"))
    assert isinstance(items[-1], Reject) and items[-1].reason == "bad-gzip"
    assert len(items) > 1 and all(isinstance(item, Article) for item in items[:-1])
    assert items[-1].line == len(items)


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-8-sig", "bom.txt"),
        ("latin-1", "latin.txt"),
        ("cp1252", "windows.txt"),
        ("cp1252", "windows.jsonl"),
        ("latin-1", "latin.csv"),
        ("utf-8-sig", "bom.jsonl"),
        ("utf-8-sig", "bom.csv"),
        ("utf-16", "wide.txt"),
    ],
)
def test_ingest_decodes_bom_and_legacy_encodings(tmp_path, encoding, name):
    sentence = "Le ministre a déclaré à Genève que «la coopération» était “essentielle” – 20 €."
    if encoding == "latin-1":
        sentence = sentence.replace("“", "'").replace("”", "'").replace("–", "-").replace("€", "EUR")
    content = {".txt": sentence, ".jsonl": json.dumps({"text": sentence}, ensure_ascii=False) + "\n",
               ".csv": f'id,text\n1,"{sentence}"\n'}[Path(name).suffix]  # fmt: skip
    article = only(read(write(tmp_path, name, content.encode(encoding))))
    assert article.text.strip() == sentence


def test_ingest_count_rejects_counts_reasons_most_frequent_first(tmp_path):
    items = read(write(tmp_path, "x.jsonl", "[1]\n{bad\n{bad\n" + jsonl({"text": "ok"})))
    assert count_rejects(items) == {"bad-json": 2, "not-an-object": 1}
    assert list(count_rejects(items)) == ["bad-json", "not-an-object"]


def test_ingest_streams_jsonl_without_reading_it_whole(tmp_path):
    story = "Ministers met again. " * 2000  # about 42 KB a line
    path = write(tmp_path, "big.jsonl", jsonl(*({"text": story} for _ in range(200))))  # about 8 MB
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_paths([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200
    assert peak < 2 * 1024 * 1024


def test_ingest_reads_the_shared_demo_corpus():
    path = SHARED_DATA / "news" / "demo_articles.jsonl.gz"
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    items = read(str(path))
    articles = [item for item in items if isinstance(item, Article)]
    assert len(items) == 1621
    assert count_rejects(items) == {"no-text": len(items) - len(articles)}
    assert all(article.id and article.text.strip() for article in articles)
    assert sum(article.date is None for article in articles) >= 73


def test_ingest_key_is_the_identity_the_input_gives(tmp_path):
    records = tmp_path / "wire.jsonl"
    records.write_text('{"id": "w-1", "text": "Seoul spoke."}\n{"text": "Tokyo spoke."}\n')
    page = tmp_path / "page.txt"
    page.write_text("Beijing spoke.\n")
    keys = [a.key for a in read_paths([records, page])]
    assert keys == ["w-1", None, str(page)]
