import pytest

from pipeline import categories
from pipeline.lexicon import load_lexicon


def test_categories_every_lexicon_category_is_words_or_deeds():
    used = {entry.category for entry in load_lexicon().entries if entry.polarity != "none"}
    assert used <= set(categories.all_categories())
    assert all(categories.kind_of(category) in ("words", "deeds") for category in used)


def test_categories_threats_are_words_and_strikes_are_deeds():
    assert set(categories.categories_of("words")) >= {"THREATEN", "ACCUSE", "DEMAND", "CONSULT"}
    assert set(categories.categories_of("deeds")) >= {"SANCTION", "MOBILIZE", "ATTACK", "AID"}
    assert not set(categories.categories_of("words")) & set(categories.categories_of("deeds"))
    assert categories.categories_of("all") == categories.all_categories()
    assert categories.kind_of("NEUTRAL") is None and categories.kind_of("UNKNOWN") is None


def test_categories_a_bad_kind_names_file_and_line(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text("category,polarity,kind,quad_class,note\nTHREATEN,hostile,words,,\n\n"
                    "ATTACK,hostile,acts,,\n")
    with pytest.raises(categories.CategoryError, match=r"categories\.csv:4: category ATTACK: kind must be"):
        categories.kind_table(path)


def test_categories_a_category_listed_twice_is_refused(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text("category,polarity,kind,quad_class,note\nAID,cooperative,deeds,,\nAID,cooperative,words,,\n")
    with pytest.raises(categories.CategoryError, match=r"categories\.csv:3: category 'AID'"):
        categories.kind_table(path)
