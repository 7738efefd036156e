import re

import pytest

from pipeline.coordination import acts_on_another, cue_owners, in_one_list, list_opening, listed_with
from pipeline.lexicon import load_lexicon
from pipeline.models import Mention
from pipeline.rhetoric import find_cues

ACTORS = {"Britain": "GBR", "France": "FRA", "Germany": "DEU", "Russia": "RUS", "Iran": "IRN",
          "Iraq": "IRQ", "Turkey": "TUR", "Ukraine": "UKR", "U.S.": "USA", "Polish": "POL"}


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def mentions_in(text):
    found = [Mention(code, m.start(), m.end(), surface, "name")
             for surface, code in ACTORS.items() for m in re.finditer(re.escape(surface), text)]
    return tuple(sorted(found, key=lambda m: m.start))


@pytest.mark.parametrize(("text", "code", "listed"), [
    ("Britain, France and Germany condemned Russia.", "DEU", ["GBR", "FRA"]),
    ("Britain, France, and Germany condemned Russia.", "DEU", ["GBR", "FRA"]),
    ("Russia imposed sanctions on Iran, Iraq and Turkey.", "IRN", ["IRQ", "TUR"]),
    # a bare comma before the actor closes an opening phrase, not a list
    ("In Iraq, Iran threatened Turkey.", "IRN", []),
    ("Britain and France warned Russia.", "FRA", ["GBR"]),
])
def test_coordination_listed_with_reads_a_list_both_ways(text, code, listed):
    assert listed_with(text, mentions_in(text), code, exclude={"RUS"}) == listed


def test_coordination_list_opening_is_the_first_actor_of_the_list_closed():
    text = "Britain, France and Germany condemned Russia."
    mentions = mentions_in(text)
    assert list_opening(text, mentions, 2).code == "GBR"
    assert list_opening(text, mentions, 3).code == "RUS"  # closes no list


@pytest.mark.parametrize(("text", "shared", "expected"), [
    ("Russia and Iran attacked Ukraine.", False, True),
    ("Russia and Iran launched strikes on Ukraine.", False, True),
    ("Russia and Iran resisted moves by Turkey.", False, True),
    # a setting or an agent is no object
    ("Russia and Iran clashed near the Polish border.", False, False),
    ("Russia and Iran agreed a truce brokered by Turkey.", True, False),
    ("Russia and Iran held talks in Turkey.", True, False),
    # an act the subjects share has a third side only when one is introduced
    ("Russia and Iran signed a deal with Turkey.", True, True),
    ("Russia and Iran agreed a ceasefire for Ukraine.", True, False),
])
def test_coordination_acts_on_another_only_through_an_object(lexicon, text, shared, expected):
    mentions = mentions_in(text)
    anchor = min(find_cues(text, lexicon), key=lambda c: c.start)
    assert acts_on_another(text, mentions, anchor, {"RUS", "IRN"}, shared) is expected


@pytest.mark.parametrize(("text", "owners"), [
    ("Iran condemned the U.S. invasion.", [{"IRN"}, {"USA"}]),
    ("Turkey protested at Russia's sanctions.", [{"TUR"}, {"RUS"}]),
    ("Britain and France condemned the Russia-Ukraine war.", [{"GBR", "FRA"}, {"RUS", "UKR"}]),
    # an actor not just before the cue owns nothing
    ("Iran's foreign minister condemned the invasion by Iraq.", [set(), set()]),
])
def test_coordination_cue_owners_are_the_actors_just_before_a_cue(lexicon, text, owners):
    assert cue_owners(text, mentions_in(text), find_cues(text, lexicon)) == owners


def test_coordination_a_list_is_read_around_the_mention_given():
    text = "Relations between Britain and Russia soured after Russia's envoy warned Iran."
    mentions = mentions_in(text)  # Britain, Russia, Russia, Iran
    assert listed_with(text, mentions, "RUS", set(), at=1) == ["GBR"]
    assert listed_with(text, mentions, "RUS", set(), at=2) == []


def test_coordination_a_title_and_a_name_of_one_actor_close_a_list_together():
    text = "France and U.S. Secretary of State Smith condemned Iran."
    smith = Mention("USA", text.index("Smith"), text.index("Smith") + 5, "Smith", "office")
    mentions = tuple(sorted((*mentions_in(text), smith), key=lambda m: m.start))  # France, U.S., Smith, Iran
    assert listed_with(text, mentions, "USA", set(), at=2) == ["FRA"]


def test_coordination_in_one_list():
    text = "Four countries, Turkey, Russia and Iran, met; then Iraq came."
    mentions = mentions_in(text)  # Turkey, Russia, Iran, Iraq
    assert in_one_list(text, mentions, 0, 2) and in_one_list(text, mentions, 2, 0)
    assert not in_one_list(text, mentions, 0, 3)
