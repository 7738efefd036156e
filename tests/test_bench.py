import gzip
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

from pipeline.bench import PACKAGE, Timing, compile_modules, naive_reference, report, sample_stories
from pipeline.cli import main
from pipeline.stages import STAGES


def write_corpus(path, count):
    records = [
        {"id": f"r{i}", "corpus": "wire" if i % 2 else "headlines",
         "text": f"Story {i}. Seoul warned Pyongyang of a firm response. Talks were called off."}
        for i in range(count)
    ]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    return path


def test_bench_sample_is_uniform_seeded_and_filtered(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl.gz", 200)
    first = sample_stories(corpus, ("wire",), 30, seed=1)
    assert first == sample_stories(corpus, ("wire",), 30, seed=1)
    assert first != sample_stories(corpus, ("wire",), 30, seed=2)
    assert len(first) == 30 and all(json.loads(line)["corpus"] == "wire" for line in first)
    assert len(sample_stories(corpus, ("wire",), 500, seed=1)) == 100


def test_bench_compiles_the_modules_where_python_would_not(tmp_path, monkeypatch):
    """As an install does: the timed processes then load bytecode, where PYTHONDONTWRITEBYTECODE
    (set on this workplace's machines) would have each of them compile the sources again."""
    package = tmp_path / "pipeline"
    (package / "queries").mkdir(parents=True)
    for name in ("__init__.py", "stages.py", "queries/__init__.py", "queries/freshness.py"):
        shutil.copy(PACKAGE / name, package / name)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    compile_modules(package)
    sources = list(package.rglob("*.py"))
    assert len(sources) == 4
    for source in sources:
        assert Path(importlib.util.cache_from_source(str(source))).is_file()


def test_bench_says_in_one_line_where_modules_cannot_be_compiled(tmp_path, capsys):
    package = tmp_path / "pipeline"
    package.mkdir()
    (package / "broken.py").write_text("def (:\n")
    compile_modules(package)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"bench: could not byte-compile every module under {package}: "
                            "processes will compile them\n")


def test_bench_naive_reference_scores_every_sentence(tmp_path):
    sample = tmp_path / "s.jsonl"
    sample.write_text(json.dumps({"id": "a", "text": "One. Two here.\n\nThree."}) + "\n")
    assert naive_reference(sample) == 3


def test_bench_cli_times_every_process_and_stage(tmp_path, capsys):
    corpus = write_corpus(tmp_path / "c.jsonl.gz", 20)
    args = ["bench", str(corpus), "--limit", "10", "--corpus-name", "wire", "--repeats", "1",
            "--workers", "2"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("10 stories from c.jsonl.gz (wire), seed 0, 30 sentences")
    for process in ("run --workers 2", "run --workers 1", "score (no database)", "VADER on every sentence"):
        row = rf"^{re.escape(process)}.*\d+\.\d\d +\d+ +\d+ +\d+ +\d+\.\d\d +\d+%$"
        assert re.search(row, out, re.M), process
    assert "run --workers 2 is" in out and "x one worker" in out
    # Every story names Seoul and Pyongyang with a warning: one statement each, and every stage timed.
    assert "10 statements; one worker, in process, by stage" in out
    for stage in STAGES:
        assert re.search(rf"^  {stage} +\d+\.\d\d s", out, re.M), stage


def test_bench_report_shows_cpu_time_and_how_busy_the_cores_were():
    timings = {
        "run --workers 2": Timing(seconds=2.0, peak_rss_mb=150, cpu_seconds=3.0),
        "run --workers 1": Timing(seconds=3.0, peak_rss_mb=140, cpu_seconds=2.7),
        "VADER on every sentence (naive)": Timing(seconds=4.0, peak_rss_mb=40, cpu_seconds=4.0),
    }
    lines = list(report(100, 1000, timings, {"clean": 1.0}, 7, cores=2))
    assert re.search(r"^run --workers 2 +2\.00 +50 +500 +150 +3\.00 +75%$", lines[1])
    assert re.search(r"^run --workers 1 .* 2\.70 +45%$", lines[2])
    assert "(busy: CPU seconds over seconds, of 2 cores)" in lines
    assert "run --workers 2 is 2.00x the naive reference" in lines
    assert "run --workers 2 is 1.50x one worker" in lines
