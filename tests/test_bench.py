import gzip
import json

from pipeline.bench import naive_reference, sample_stories
from pipeline.cli import main


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


def test_bench_naive_reference_scores_every_sentence(tmp_path):
    sample = tmp_path / "s.jsonl"
    sample.write_text(json.dumps({"id": "a", "text": "One. Two here.\n\nThree."}) + "\n")
    assert naive_reference(sample) == 3


def test_bench_cli_times_both_processes(tmp_path, capsys):
    corpus = write_corpus(tmp_path / "c.jsonl.gz", 20)
    assert main(["bench", str(corpus), "--limit", "10", "--corpus-name", "wire", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("10 stories from c.jsonl.gz (wire)")
    assert "score (whole process)" in out and "x the naive reference" in out
