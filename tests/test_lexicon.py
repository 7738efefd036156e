import pytest

from pipeline.lexicon import POLARITIES, LexiconError, compile_term, load_lexicon


@pytest.mark.parametrize(
    "term, text, matches",
    [
        ("condemn*", "condemnation", True),
        ("condemn*", "condemned", True),
        ("threat", "threats", False),
        ("pay dearly", "pay   dearly", True),
        ("pay .. price", "pay a heavy price", True),
        ("pay .. price", "pay the full heavy price", True),
        ("pay .. price", "pay one two three four price", False),
        ("lift* .. sanctions", "lifting some sanctions", True),
    ],
)
def test_lexicon_term_syntax(term, text, matches):
    match = compile_term(term).match(text)
    assert bool(match and match.end() == len(text)) is matches


def test_lexicon_data_files_are_well_formed():
    lexicon = load_lexicon()
    assert len(lexicon.entries) > 150
    assert {e.polarity for e in lexicon.entries} <= set(POLARITIES)
    assert all(0 <= e.weight <= 1 for e in lexicon.entries)
    terms = [e.term for e in lexicon.entries]
    assert len(terms) == len(set(terms)), "a term is listed twice"
    categories = {e.category for e in lexicon.entries if e.polarity != "none"}
    assert {"THREATEN", "DISAPPROVE", "ACCUSE", "DEMAND", "REJECT", "SANCTION", "MOBILIZE", "ATTACK",
            "CONSULT", "AGREE", "COOPERATE", "AID"} <= categories


def test_lexicon_rejects_an_unknown_polarity(tmp_path):
    (tmp_path / "rhetoric.csv").write_text("term,category,polarity,weight,note\nsnub,REJECT,rude,0.5,\n")
    (tmp_path / "modifiers.csv").write_text("term,kind,factor,note\nnot,negation,0.2,\n")
    with pytest.raises(ValueError, match="snub"):
        load_lexicon(tmp_path)


def test_lexicon_analysts_extend_it_without_code(tmp_path):
    (tmp_path / "rhetoric.csv").write_text(
        "term,category,polarity,weight,note\nsabre-rattl*,THREATEN,hostile,0.6,\n"
    )
    (tmp_path / "modifiers.csv").write_text("term,kind,factor,note\nnot,negation,0.2,\n")
    lexicon = load_lexicon(tmp_path)
    assert lexicon.entries[0].pattern.match("sabre-rattling")


def lexicon_of(folder, rows: str):
    """A lexicon folder whose rhetoric.csv holds `rows` (CSV lines after the header)."""
    (folder / "rhetoric.csv").write_text("term,category,polarity,weight,note\n" + rows, encoding="utf-8")
    (folder / "modifiers.csv").write_text("term,kind,factor,note\nnot,negation,0.2,\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("rows, message", [
    ("snub,REJECT,hostile,0.5,\nrebuff,REJECT,hostile,high,\n",
     r"rhetoric\.csv:3: term 'rebuff': weight 'high' is not a number"),
    ("snub,REJECT,hostile,0.5,\n\n\nrebuff,REJECT,hostile,x,\n",  # blank rows count as lines
     r"rhetoric\.csv:5: term 'rebuff'"),
    ("snub,REJECT,hostile,0.5,\nglare,SCOWL,hostile,0.5,\nthanks to,,none,0,\n",  # a blocker needs none
     r"rhetoric\.csv:3: term 'glare': category 'SCOWL' is not a hostile one of data/lexicon/categories\.csv"),
    ("embrac*,THREATEN,cooperative,0.5,\n",
     r"rhetoric\.csv:2: term 'embrac\*': category 'THREATEN' is not a cooperative"),
])
def test_lexicon_a_bad_row_names_file_and_line(tmp_path, rows, message):
    with pytest.raises(ValueError, match=message):
        load_lexicon(lexicon_of(tmp_path, rows))


@pytest.mark.parametrize("rows, message", [
    ("not,negation,0.2,\nsomewhat,hedge,a bit,\n",
     r"modifiers\.csv:3: modifier 'somewhat': factor 'a bit' is not a number"),
    ("not,negation,0.2,\n\nvery,intensifer,1.2,\n",
     r"modifiers\.csv:4: modifier 'very': kind must be one of negation, stop, hedge, intensifier, "
     r"not 'intensifer'"),
    ("not,negation,-0.2,\n", r"modifiers\.csv:2: modifier 'not': a term and a finite factor of at least 0"),
    ("very,intensifier,inf,\n", r"modifiers\.csv:2: modifier 'very': a term and a finite factor"),
    ("very,intensifier,nan,\n", r"modifiers\.csv:2: modifier 'very': a term and a finite factor"),
])
def test_lexicon_a_bad_modifier_names_file_and_line(tmp_path, rows, message):
    (lexicon_of(tmp_path, "snub,REJECT,hostile,0.5,\n") / "modifiers.csv").write_text(
        "term,kind,factor,note\n" + rows, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        load_lexicon(tmp_path)
