"""The command line as other tools use it: real files in, JSON lines and exit codes out."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import GOLD_DEV, SEED_ARTICLE, shared

REPO = Path(__file__).resolve().parents[1]
FIELDS = {"article_id", "date", "start", "end", "sentence", "source", "target", "directed",
          "hostility", "cooperation", "tension", "category", "cues", "vader_compound", "rule",
          "quote", "confidence"}


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_cli_score_jsonl_keeps_record_ids_and_dates(tmp_path, capsys):
    source = write_jsonl(tmp_path / "wire.jsonl", [
        {"id": "w-1", "date": "2021-03-04", "text": "Seoul accused Pyongyang of firing missiles."},
        {"id": "w-2", "date": "2021-03-05", "text": "The weather in Oslo was mild."},
    ])
    assert main(["score", str(source)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == FIELDS
    assert (row["article_id"], row["date"]) == ("w-1", "2021-03-04")
    assert (row["source"], row["target"]) == ("KOR", "PRK")
    assert row["category"] == "ACCUSE" and row["directed"] and row["tension"] > 0
    assert row["cues"][0]["term"] == "accus*"


def test_cli_bad_lines_are_reported_and_the_batch_goes_on(tmp_path, capsys):
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        '{"id": "a", "text": "Tokyo condemned Beijing over the drills."}\n'
        '{"id": "b", "text": \n'
        '{"id": "c", "text": ""}\n'
        '{"id": "d", "text": "Moscow warned Kyiv of retaliation."}\n',
        encoding="utf-8",
    )
    assert main(["score", str(source)]) == 1
    captured = capsys.readouterr()
    ids = {json.loads(line)["article_id"] for line in captured.out.splitlines()}
    assert ids == {"a", "d"}
    errors = captured.err.splitlines()
    assert any(line.startswith(f"{source}:2:") for line in errors)
    assert any(line.startswith(f"{source}:3:") for line in errors)
    assert "rejected 2" in errors[-1]


def test_cli_missing_path_is_one_line_and_exit_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "score", str(tmp_path / "nope.jsonl")],
        cwd=REPO, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "nope.jsonl" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_table_format(tmp_path, capsys):
    source = write_jsonl(tmp_path / "t.jsonl", [
        {"id": "t", "date": "2022-01-02", "text": "Ankara refused to hold talks with Athens."},
    ])
    assert main(["score", str(source), "--format", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("date")
    assert "TUR" in lines[1] and "GRC" in lines[1] and "REJECT" in lines[1]


def test_cli_score_seed_article_end_to_end(capsys):
    assert main(["score", str(shared(SEED_ARTICLE))]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    threat = [r for r in rows if (r["source"], r["target"], r["category"]) == ("PRK", "USA", "THREATEN")
              and r["directed"] and r["quote"] == "pay dearly"]
    assert threat and threat[0]["date"] == "2019-12-21"


def test_cli_evaluate_json_and_errors(tmp_path, capsys):
    gold = write_jsonl(tmp_path / "gold.jsonl", [
        {"id": "g1", "text": "Iran threatened Iraq with a new offensive.", "pair": ["IRN", "IRQ"],
         "label": "conflict", "directions": [["IRN", "IRQ"]]},
        {"id": "g2", "text": "Chile and Peru held talks.", "pair": ["CHL", "PER"],
         "label": "neutral", "directions": []},
    ])
    assert main(["evaluate", str(gold), "--json", "--errors", "5"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out[: out.index("\n}") + 2])
    assert report["items"] == 2 and report["conflict"]["tp"] == 1
    assert "MISS g2" in out


@pytest.mark.parametrize(
    "line, message",
    [
        ("not json", "broken JSON"),
        ('{"text": "x", "label": "conflict"}', "needs text, pair and label"),
        ('{"text": "x", "pair": ["A", "B"], "label": "war"}', "label must be one of"),
        ('{"text": "x", "pair": ["A", "B"], "label": "neutral", "date": "yesterday"}', "is not YYYY-MM-DD"),
    ],
)
def test_cli_evaluate_bad_gold_line_is_named_and_exits_2(tmp_path, capsys, line, message):
    bad = tmp_path / "gold.jsonl"
    good = json.dumps({"text": "Iran threatened Iraq.", "pair": ["IRN", "IRQ"], "label": "conflict"})
    bad.write_text(good + "\n\n" + line + "\n")
    assert main(["evaluate", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {bad}:3: ") and message in err and "\n" not in err


@pytest.mark.slow
def test_cli_evaluate_dev_set_prints_the_table(capsys):
    assert main(["evaluate", str(shared(GOLD_DEV))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("363 items") and "directed_conflict" in out and "macro_f1" in out


def test_cli_resources_are_frozen_during_a_command_and_collectable_after(tmp_path, capsys, monkeypatch):
    """The CLI freezes the loaded resources out of the collector's reach for the command's length;
    `watch` loads them again each cycle, so the old ones must not stay frozen (a leak per cycle)."""
    import gc

    from pipeline import preparing, score

    during = []

    def counting(function):
        return lambda *args: during.append(gc.get_freeze_count()) or function(*args)

    monkeypatch.setattr(score, "clean_and_score", counting(score.clean_and_score))  # `score`
    monkeypatch.setattr(preparing, "prepare", counting(preparing.prepare))  # `run`, one worker
    wire = str(REPO / "data" / "sample" / "wire.jsonl")
    before = gc.get_freeze_count()
    for argv in (["score", wire], ["run", wire, "--db", f"sqlite:///{tmp_path / 'x.db'}", "--workers", "1"]):
        during.clear()
        assert main(argv) in (0, 1)
        assert during and min(during) > before, argv  # frozen while the articles were scored
        assert gc.get_freeze_count() == before, argv  # and no longer after
    capsys.readouterr()
