"""Context rules (pipeline.contexts): read from a CSV written by hand, applied either side of a match."""

from __future__ import annotations

import re

import pytest

from pipeline.contexts import Context, load_contexts, vetoed
from pipeline.datafiles import DataFileError

HEADER = "term,where,pattern,note\n"


def test_contexts_before_is_searched_up_to_the_match_and_after_matched_from_its_end():
    rules = (Context("before", re.compile(r"\bstatement\s+$")),
             Context("after", re.compile(r"\s+a\s+video\b")))
    text = "a statement released by the court; the army released a video; Hamas released hostages"
    starts = [m.start() for m in re.finditer("released", text)]
    assert [vetoed(text, start, start + len("released"), rules) for start in starts] == [True, True, False]


def test_contexts_read_by_key_with_flags(tmp_path):
    path = tmp_path / "contexts.csv"
    path.write_text(HEADER + "released,after,\\s+a\\s+statement\\b,\nreleased,before,\\bfootage\\s+$,\n")
    rules = load_contexts(path, "term", {"released", "freed"}, flags=re.IGNORECASE)
    assert list(rules) == ["released"] and [rule.where for rule in rules["released"]] == ["after", "before"]
    assert vetoed("Released A Statement", 0, 8, rules["released"])
    assert load_contexts(tmp_path / "absent.csv", "term", set()) == {}


def test_contexts_one_row_gives_its_rule_to_several_keys(tmp_path):
    path = tmp_path / "contexts.csv"
    path.write_text(HEADER + '"killed; killing",after,\\s+in\\s+a\\s+crash\\b,\n')
    rules = load_contexts(path, "term", {"killed", "killing", "killings"})
    assert sorted(rules) == ["killed", "killing"] and rules["killed"] == rules["killing"]
    assert vetoed("killing in a crash", 0, 7, rules["killing"])


@pytest.mark.parametrize(("row", "message"), [
    ("relased,after,\\s+a\\s+statement,",
     r"contexts\.csv:3: term 'relased' is not one the rules could apply to"),
    ('"released; relased",after,\\s+a\\s+statement,',
     r"contexts\.csv:3: term 'relased' is not one the rules could apply to"),
    ("released,afer,\\s+a\\s+statement,", r"contexts\.csv:3: where must be before or after, not 'afer'"),
    ("released,after,,", r"contexts\.csv:3: the pattern is empty"),
    ("released,after,(a,", r"contexts\.csv:3: pattern '\(a' is not a regular expression"),
])
def test_contexts_a_bad_rule_names_file_and_line(tmp_path, row, message):
    path = tmp_path / "contexts.csv"
    path.write_text(f"{HEADER}released,before,\\bfootage\\s+$,\n{row}\n")
    with pytest.raises(DataFileError, match=message):
        load_contexts(path, "term", {"released"})
