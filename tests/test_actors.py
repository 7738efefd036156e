from datetime import date

import pytest

from pipeline.actors import GazetteerError, find_mentions, load_gazetteer, may_name_two_actors


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def codes(text, gazetteer, on=None):
    return [m.code for m in find_mentions(text, gazetteer, on)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pyongyang warned Washington.", ["PRK", "USA"]),
        ("The Kremlin and the Pentagon traded barbs.", ["RUS", "USA"]),
        ("KCNA said Xinhua and TASS were wrong.", ["PRK", "CHN", "RUS"]),
        ("The UN General Assembly condemned North Korea's abuses.", ["UN", "PRK"]),
        ("The US said so; let us hope.", ["USA"]),
        ("A set of fine china and a roast turkey.", []),
        ("China and Turkey signed a deal.", ["CHN", "TUR"]),
        ("Papua New Guinea and Guinea-Bissau met.", ["PNG", "GNB"]),
        ("Irans nuclear programme worried Israels cabinet.", ["IRN", "ISR"]),
    ],
)
def test_actors_names_capitals_metonyms_and_media(gazetteer, text, expected):
    assert codes(text, gazetteer) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Voters in Atlanta, Georgia went to the polls.", []),
        ("Georgia accused Russia of provocations.", ["GEO", "RUS"]),
        ("Rain fell on Washington state overnight.", []),
        ("Michael Jordan played in Chicago.", []),
        ("Jordan and Israel agreed on water.", ["JOR", "ISR"]),
        ("The Niger Delta is in Nigeria.", ["NGA"]),
    ],
)
def test_actors_ambiguous_names_are_settled_by_context(gazetteer, text, expected):
    assert codes(text, gazetteer) == expected


def test_actors_office_holders_count_only_in_office(gazetteer):
    text = "Esper met Lavrov."
    assert codes(text, gazetteer, date(2019, 12, 20)) == ["USA", "RUS"]
    assert codes(text, gazetteer, date(2023, 6, 1)) == ["RUS"]
    assert codes("Trump spoke.", gazetteer, date(2022, 6, 1)) == []
    assert codes("Trump spoke.", gazetteer, date(2025, 6, 1)) == ["USA"]


def test_actors_office_holder_without_a_date_counts_when_unambiguous(gazetteer):
    assert codes("Putin spoke.", gazetteer) == ["RUS"]


def test_actors_private_persons_and_firms_are_not_the_state(gazetteer):
    assert codes("A Malaysian man met a US Olympic swimmer.", gazetteer) == []
    assert codes("Malaysian police questioned the US embassy.", gazetteer) == ["MYS", "USA"]


def test_actors_datelines_are_places(gazetteer):
    text = "SEOUL, Dec 21 (Reuters) - North Korea fired a missile."
    assert codes(text, gazetteer) == ["PRK"]


def test_actors_offsets_point_at_the_surface(gazetteer):
    text = "Officials in Beijing and Taipei spoke."
    for mention in find_mentions(text, gazetteer):
        assert text[mention.start : mention.end] == mention.surface


def test_actors_prefilter_is_an_upper_bound(gazetteer):
    assert may_name_two_actors("Trump met Kim Jong Un.", gazetteer)
    assert not may_name_two_actors("North Korea fired a missile into the sea.", gazetteer)
    assert not may_name_two_actors("Markets rose.", gazetteer)


def test_actors_a_bad_date_of_office_names_file_and_line(tmp_path):
    for name in ("countries.csv", "entities.csv", "groups.csv"):
        (tmp_path / name).write_text("code,alias,kind,note\nFRA,France,name,\n")
    (tmp_path / "office_holders.csv").write_text(
        "code,name,aliases,role,start,end,note\nFRA,A B,A B,head_of_state,2001-01-01,,\n"
        "\nFRA,C D,C D,head_of_state,last spring,,\n"
    )
    with pytest.raises(ValueError, match=r"office_holders\.csv:4: start and end must be dates"):
        load_gazetteer(tmp_path)


@pytest.mark.parametrize(("rule", "message"), [
    ("Georgia,after,(unclosed,",
     r"ambiguity\.csv:3: pattern '\(unclosed' is not a regular expression \(missing \)"),
    ("Georgia,befor,\\s+Bulldogs,", r"ambiguity\.csv:3: where must be before or after, not 'befor'"),
    ("Georgia,after,,", r"ambiguity\.csv:3: the pattern is empty"),
    ("Gerogia,after,\\s+Bulldogs,", r"ambiguity\.csv:3: alias 'Gerogia' is not one the rules could apply to"),
])
def test_actors_a_bad_context_rule_names_file_and_line(tmp_path, rule, message):
    for name in ("countries.csv", "entities.csv", "groups.csv"):
        (tmp_path / name).write_text("code,alias,kind,note\nGEO,Georgia,name,\n")
    rules = f"alias,where,pattern,note\nGeorgia,after,\\s+Bulldogs,\n{rule}\n"
    (tmp_path / "ambiguity.csv").write_text(rules)
    with pytest.raises(GazetteerError, match=message):
        load_gazetteer(tmp_path)
