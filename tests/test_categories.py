import pytest

from pipeline import categories
from pipeline.lexicon import load_lexicon


def test_categories_each_one_but_neutral_has_lexicon_terms_and_a_kind():
    used = {entry.category for entry in load_lexicon().entries if entry.polarity != "none"}
    listed = set(categories.all_categories()) - {"NEUTRAL"}
    assert used == listed  # no category without terms, which no statement could ever have
    assert all(categories.kind_of(c) in ("words", "deeds") and categories.polarity_of(c) for c in listed)


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
        categories.category_table(path)


def test_categories_a_category_listed_twice_is_refused(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text("category,polarity,kind,quad_class,note\nAID,cooperative,deeds,,\nAID,cooperative,words,,\n")
    with pytest.raises(categories.CategoryError, match=r"categories\.csv:3: category 'AID'"):
        categories.category_table(path)


def test_categories_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of all, words, deeds, not 'acts'"):
        categories.check_kind("acts")
