"""Checks on the actor gazetteer data: complete, consistent, and in step with its build script.

The ambiguity examples apply the rules exactly as data/gazetteer/README.md documents them (re.search on
the 40 characters before a mention, re.match on the 40 after), independently of the matcher.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest

ROOT = Path(__file__).resolve().parents[1]
GAZETTEER = ROOT / "data" / "gazetteer"
SCRIPT = ROOT / "scripts" / "build_gazetteer.py"
KINDS = {"name", "short", "demonym", "capital", "metonym", "institution", "media", "igo", "alt"}
WINDOW = 40  # characters of context the matcher gives each ambiguity rule


def load_build_script():
    spec = importlib.util.spec_from_file_location("build_gazetteer", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = load_build_script()


def read_csv(name: str) -> list[dict[str, str]]:
    with (GAZETTEER / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def actor_rows() -> list[dict[str, str]]:
    return read_csv("countries.csv") + read_csv("entities.csv")


def documented_org_codes() -> set[str]:
    """Codes in the README's organisation table (rows like "| `NATO` | North Atlantic ... |")."""
    text = (GAZETTEER / "README.md").read_text(encoding="utf-8")
    section = text.split("## Organisation codes", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z0-9]+)` \|", section, flags=re.MULTILINE))


def iso_alpha3() -> set[str]:
    current = {country.alpha_3 for country in pycountry.countries}
    return current | {country.alpha_3 for country in pycountry.historic_countries} | {"XKX"}


def test_gazetteer_countries_csv_is_up_to_date():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["countries.csv", "entities.csv"])
def test_gazetteer_actor_files_have_schema_header(name):
    with (GAZETTEER / name).open(encoding="utf-8") as handle:
        assert handle.readline().rstrip("\n") == "code,alias,kind,note"


def test_gazetteer_every_state_has_a_name():
    expected = {state["ISO3"] for state in BUILD.base_states()}
    assert len(expected) >= 196
    named = {row["code"] for row in read_csv("countries.csv") if row["kind"] == "name"}
    assert {"TWN", "PSE", "XKX"} <= expected
    assert expected - named == set()


def test_gazetteer_rows_are_well_formed():
    for row in actor_rows():
        assert row["kind"] in KINDS, row
        alias = row["alias"]
        assert alias and alias == alias.strip(), row
        assert not alias.lower().startswith("the "), row


def test_gazetteer_codes_are_iso_or_documented_organisations():
    orgs = documented_org_codes()
    assert {"UN", "EU", "NATO", "IAEA", "WB", "LAS", "OPCW"} <= orgs
    assert orgs.isdisjoint(iso_alpha3())
    for row in actor_rows():
        code = row["code"]
        assert code in orgs or (re.fullmatch(r"[A-Z]{3}", code) and code in iso_alpha3()), row


def test_gazetteer_has_no_duplicate_rows():
    keys = [(row["code"], row["alias"]) for row in actor_rows()]
    assert len(keys) == len(set(keys))


def test_gazetteer_alias_maps_to_one_code_unless_noted_ambiguous():
    rows_by_alias = defaultdict(list)
    for row in actor_rows():
        rows_by_alias[row["alias"]].append(row)
    for alias, rows in rows_by_alias.items():
        if len({row["code"] for row in rows}) > 1:
            assert all("ambiguous" in row["note"] for row in rows), (alias, rows)


def test_gazetteer_spellings_have_ascii_and_curly_twins():
    aliases = {(row["code"], row["alias"]) for row in actor_rows()}
    for code, alias in aliases:
        folded = BUILD.fold(alias)
        if folded != alias and folded.isascii() and folded not in BUILD.COMMON_WORDS:
            assert (code, folded) in aliases, (code, alias)
        if "'" in alias:
            assert (code, alias.replace("'", BUILD.CURLY_APOSTROPHE)) in aliases, (code, alias)


@pytest.mark.parametrize(("alias", "code"), [
    ("Pyongyang", "PRK"), ("Kremlin", "RUS"), ("Pentagon", "USA"), ("KCNA", "PRK"), ("Xinhua", "CHN"),
    ("UN General Assembly", "UN"), ("North Korean", "PRK"), ("Britain", "GBR"), ("U.S.", "USA"),
    ("DPRK", "PRK"), ("Turkiye", "TUR"), ("Türkiye", "TUR"), ("Congo", "COD"), ("Republic of Congo", "COG"),
    ("Kyiv", "UKR"), ("Kiev", "UKR"), ("Ramallah", "PSE"), ("Pristina", "XKX"), ("Holy See", "VAT"),
    ("Brussels", "EU"), ("Russians", "RUS"), ("Côte d'Ivoire", "CIV"), ("Cote d'Ivoire", "CIV"),
])
def test_gazetteer_spot_check(alias, code):
    assert code in {row["code"] for row in actor_rows() if row["alias"] == alias}


@pytest.mark.parametrize("alias", ["Korean", "us", "Kingston", "Island", "Male", "GB"])
def test_gazetteer_leaves_out_misleading_aliases(alias):
    assert alias not in {row["alias"] for row in actor_rows()}


def test_gazetteer_ambiguity_rules_are_valid():
    with (GAZETTEER / "ambiguity.csv").open(encoding="utf-8") as handle:
        assert handle.readline().rstrip("\n") == "alias,where,pattern,note"
    aliases = {row["alias"] for row in actor_rows()}
    for rule in read_csv("ambiguity.csv"):
        assert rule["where"] in {"before", "after"}, rule
        re.compile(rule["pattern"])
        assert rule["where"] == "after" or rule["pattern"].endswith("$"), rule
        assert rule["alias"] in aliases, rule
        assert rule["note"], rule


def dropped(text: str, alias: str) -> bool:
    """Whether the ambiguity rules drop the first whole-word mention of alias in text."""
    found = re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text)
    assert found, (alias, text)
    before = text[max(0, found.start() - WINDOW):found.start()]
    after = text[found.end():found.end() + WINDOW]
    for rule in read_csv("ambiguity.csv"):
        if rule["alias"] != alias:
            continue
        if rule["where"] == "before" and re.search(rule["pattern"], before):
            return True
        if rule["where"] == "after" and re.match(rule["pattern"], after):
            return True
    return False


AMBIGUITY_EXAMPLES = [
    ("Police in Atlanta, Georgia, said", "Georgia", True),
    ("The Georgia Senate voted on Monday", "Georgia", True),
    ("Georgia's governor signed the bill", "Georgia", True),
    ("Russia invaded Georgia in 2008", "Georgia", False),
    ("Georgia's president condemned Moscow", "Georgia", False),
    ("according to the Washington Post", "Washington", True),
    ("a tech firm in Seattle, Washington", "Washington", True),
    ("Washington state officials said", "Washington", True),
    ("students at George Washington University", "Washington", True),
    ("Washington warned Beijing on Monday", "Washington", False),
    ("officials in Washington, D.C., said", "Washington", False),
    ("Rep. Jim Jordan said", "Jordan", True),
    ("a fire at the Adass Israel synagogue in Melbourne", "Israel", True),
    ("patients at Beth Israel Deaconess Medical Center", "Israel", True),
    ("Iran warned Israel on Sunday", "Israel", False),
    ("a dunk by Michael Jordan", "Jordan", True),
    ("a comment that angered Jordan Peterson", "Jordan", True),
    ("Israel and Jordan signed a water deal", "Jordan", False),
    ("Jordan Tuesday rejected the plan", "Jordan", False),
    ("neighbouring Jordan warned Israel", "Jordan", False),
    ("plans to annex the Jordan Valley", "Jordan", True),
    ("Acting Secretary Chad Wolf said", "Chad", True),
    ("fishermen on Lake Chad", "Chad", True),
    ("Chad accused Sudan of backing rebels", "Chad", False),
    ("oil spills in the Niger Delta", "Niger", True),
    ("the junta in Niger expelled French troops", "Niger", False),
    ("a Turkey Day parade", "Turkey", True),
    ("Turkey warned Greece", "Turkey", False),
    ("fine China and silver", "China", True),
    ("patrols in the South China Sea", "China", True),
    ("China warned Japan", "China", False),
    ("voters in New Mexico", "Mexico", True),
    ("Mexico rejected the tariffs", "Mexico", False),
    ("a factory in Lebanon, Pennsylvania", "Lebanon", True),
    ("Lebanon, Syria and Jordan", "Lebanon", False),
    ("Paris Hilton arrived", "Paris", True),
    ("a motel in Paris, Texas", "Paris", True),
    ("under the Paris Agreement", "Paris", True),
    ("Paris and Berlin disagreed", "Paris", False),
    ("students in Moscow, Idaho", "Moscow", True),
    ("Moscow denied the report", "Moscow", False),
    ("JOIN US ON FACEBOOK", "US", True),
    ("a loan of US$5 billion", "US", True),
    ("the US warned Iran", "US", False),
    ("across Latin America", "America", True),
    ("America's allies", "America", False),
    ("piracy in the Gulf of Guinea", "Guinea", True),
    ("troops in Guinea-Bissau", "Guinea", True),
    ("Security Council Secretary Sergei Shoigu", "Security Council", True),
    ("the US National Security Council", "Security Council", True),
    ("the UN Security Council voted", "Security Council", False),
    ("the Georgia General Assembly passed", "General Assembly", True),
    ("CCTV footage showed", "CCTV", True),
    ("CCTV reported that", "CCTV", False),
    ("the Lebanese city of Tripoli", "Tripoli", True),
    ("Tripoli rejected the UN plan", "Tripoli", False),
    ("the Sputnik V vaccine", "Sputnik", True),
    ("the ICC World Cup final", "ICC", True),
    ("the ICC issued a warrant", "ICC", False),
    ("THOSE WHO WAIT", "WHO", True),
    ("WHO SAYS PANDEMIC IS OVER", "WHO", False),
    ("Bosnian Serb leaders said", "Serb", True),
    ("in Northern Ireland", "Ireland", True),
    ("in the People's Republic of China", "Republic of China", True),
]


@pytest.mark.parametrize(("text", "alias", "expected"), AMBIGUITY_EXAMPLES)
def test_gazetteer_ambiguity_rule_examples(text, alias, expected):
    assert dropped(text, alias) is expected
