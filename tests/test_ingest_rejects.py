"""Bad input: every reject reason with its one-line message naming the file and line, and the batch
going on after it."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from pipeline import readers
from pipeline.ingest import count_rejects
from pipeline.models import Article, Reject
from tests.ingest_fixtures import jsonl, only, read, write

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


def test_ingest_count_rejects_counts_reasons_most_frequent_first(tmp_path):
    items = read(write(tmp_path, "x.jsonl", "[1]\n{bad\n{bad\n" + jsonl({"text": "ok"})))
    assert count_rejects(items) == {"bad-json": 2, "not-an-object": 1}
    assert list(count_rejects(items)) == ["bad-json", "not-an-object"]
