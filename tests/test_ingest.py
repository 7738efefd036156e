"""Readers: every format, gzip, folders, dates, encodings and identities (bad input: test_ingest_rejects)."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipeline.ingest import count_rejects, read_paths
from pipeline.models import Article
from tests.ingest_fixtures import jsonl, only, read, write

SHARED_DATA = Path(__file__).parents[2] / "shared" / "data"
PARAGRAPH = "Officials in Lisbon said the fishing talks would resume on Monday after a two-week pause."

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
