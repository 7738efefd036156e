"""Build data/gazetteer/countries.csv from maintained packages plus hand-curated overrides.

The base list is the 193 UN members (country_converter's shipped TSV) plus the states that news
treats as actors without UN membership (Taiwan, Palestine, Kosovo, the Holy See). Names come from
country_converter and pycountry; capitals, demonyms and alternative spellings from countryinfo.
Package strings that would mislead a case-sensitive whole-word matcher are dropped and logged;
then data/gazetteer/country_overrides.csv adds and drops what the packages miss or get wrong.

Example::

    python scripts/build_gazetteer.py          # rewrite countries.csv, log every dropped alias
    python scripts/build_gazetteer.py --check  # exit 1 if the committed file is out of date
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import country_converter
import pycountry
from countryinfo import CountryInfo
from countryinfo.exceptions import CountryNotFoundError

GAZETTEER = Path(__file__).resolve().parents[1] / "data" / "gazetteer"
OUTPUT = GAZETTEER / "countries.csv"
OVERRIDES = GAZETTEER / "country_overrides.csv"
HEADER = ("code", "alias", "kind", "note")
# States that news reports as actors although they are not UN members.
EXTRA_CODES = frozenset({"TWN", "PSE", "XKX", "VAT"})
# When two sources give one form different kinds, the earlier kind wins.
KIND_RANK = ("name", "short", "demonym", "capital", "alt")
# Forms that mean something else when capitalised: English words (Iceland's "Island", the ASCII
# "Male" for Malé) and s-forms of names that are not possessives (the Americas, the two Koreas).
COMMON_WORDS = frozenset({"Island", "Male", "Americas", "Chads", "Chiles", "Congos", "Guineas", "Jordans",
                          "Koreas", "Nigers", "Samoas", "Sudans", "Turkeys"})
CURLY_APOSTROPHE = "\u2019"  # news copy uses it as often as "'"
# Letters that Unicode decomposition does not reduce to ASCII (dotless i, l with stroke, ...).
FOLD_TABLE = str.maketrans({"\u0131": "i", "\u0142": "l", "\u00f8": "o", "\u0111": "d", "\u00df": "ss",
                            "\u2018": "'", CURLY_APOSTROPHE: "'"})
# Plural demonyms take an "s" only for these endings ("Russians", "Israelis", "Czechs");
# "French", "Swiss", "Chinese" and "Malagasy" have no such plural.
PLURAL_ENDINGS = ("an", "ar", "i", "ot", "er", "ek", "ak", "ech", "ino", "ene", "in", "ine", "que", "be")
# Last words of formal names ("Czech Republic") whose s-form reads as a plural, not a possessive.
FORMAL_WORDS = frozenset({"Republic", "Federation", "Confederation", "City", "See", "Darussalam"})

log = logging.getLogger("build_gazetteer")
Row = tuple[str, str, str, str]  # code, alias, kind, note


def base_states() -> list[dict[str, str]]:
    """The country_converter rows of UN members and EXTRA_CODES (its class breaks on pandas 3)."""
    path = Path(country_converter.__file__).parent / "country_data.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r for r in rows if r["UNmember"].strip() or r["ISO3"] in EXTRA_CODES]


def countryinfo_record(code: str) -> dict:
    try:
        return CountryInfo(code).info()
    except CountryNotFoundError:
        log.info("%s: not in countryinfo (no capital, demonym or alternative spellings)", code)
        return {}


def package_candidates(state: dict[str, str]) -> list[tuple[str, str, str]]:
    """(alias, kind, source) triples for one state, unfiltered."""
    code = state["ISO3"]
    found = [(state["name_short"], "name", "coco name_short"),
             (state["name_official"], "name", "coco name_official")]
    country = pycountry.countries.get(alpha_3=code)
    for attr in ("name", "official_name", "common_name"):
        if country is not None and getattr(country, attr, None):
            found.append((getattr(country, attr), "name", f"pycountry {attr}"))
    info = countryinfo_record(code)
    if info.get("capital"):
        found.append((info["capital"], "capital", "countryinfo capital"))
    for demonym in (info.get("demonym") or "").split(","):
        found.append((demonym, "demonym", "countryinfo demonym"))
    for spelling in info.get("altSpellings") or ():
        kind = "short" if spelling.isupper() and len(spelling) <= 5 else "alt"
        found.append((spelling, kind, "countryinfo altSpellings"))
    return [(strip_article(alias), kind, source) for alias, kind, source in found]


def strip_article(alias: str) -> str:
    """The matcher handles a leading "the", so aliases never carry one."""
    alias = alias.strip()
    for article in ("the ", "The "):
        if alias.startswith(article):
            return alias[len(article):]
    return alias


def is_latin(text: str) -> bool:
    """Whether every letter is Latin script (accents allowed: "Türkiye" yes, "Россия" no)."""
    return all("LATIN" in unicodedata.name(ch, "") for ch in text if ch.isalpha())


def reject_reason(alias: str, code: str) -> str | None:
    """Why a package string cannot be an alias, or None when it can."""
    if alias == code or (len(alias) == 2 and alias.isupper()):
        return "ISO or two-letter code, not news usage (overrides add US, UK, NZ)"
    if "," in alias or "(" in alias:
        return "inverted or bracketed list form"
    if not is_latin(alias):
        return "not Latin script"
    if not alias[0].isupper():
        return "lower-case (case-sensitive matching would miss or misfire)"
    if alias in COMMON_WORDS:
        return "English common word"
    return None


def collect_base() -> dict[tuple[str, str], tuple[str, set[str]]]:
    """(code, alias) -> (kind, sources) from the packages, after filtering."""
    found: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for state in base_states():
        code = state["ISO3"]
        for alias, kind, source in package_candidates(state):
            reason = reject_reason(alias, code) if alias else "empty"
            if reason:
                if alias:
                    log.info("drop %s %r (%s): %s", code, alias, source, reason)
                continue
            old_kind, sources = found.get((code, alias), (kind, set()))
            best = min(old_kind, kind, key=KIND_RANK.index)
            found[(code, alias)] = (best, sources | {source})
    return found


def drop_collisions(found: dict) -> dict:
    """An alias that packages give to two states says nothing on its own: drop it from both."""
    codes_by_alias: dict[str, set[str]] = defaultdict(set)
    for code, alias in found:
        codes_by_alias[alias].add(code)
    kept = {}
    for (code, alias), value in found.items():
        if len(codes_by_alias[alias]) > 1:
            log.info("drop %s %r: also an alias of %s", code, alias,
                     "/".join(sorted(codes_by_alias[alias] - {code})))
            continue
        kept[(code, alias)] = value
    return kept


def read_overrides() -> list[dict[str, str]]:
    with OVERRIDES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def base_rows() -> dict[tuple[str, str], tuple[str, str]]:
    """(code, alias) -> (kind, note) from packages plus override additions."""
    rows = {key: (kind, "; ".join(sorted(sources)))
            for key, (kind, sources) in drop_collisions(collect_base()).items()}
    for override in read_overrides():
        if override["action"] == "add":
            rows[(override["code"], override["alias"])] = (override["kind"], override["note"])
    return apply_drops(rows)


def apply_drops(rows: dict) -> dict:
    """Remove the override drops; run again after variants so derived spellings can be dropped."""
    for override in read_overrides():
        if override["action"] == "drop" and rows.pop((override["code"], override["alias"]), None):
            log.info("drop %s %r: override (%s)", override["code"], override["alias"], override["note"])
    return rows


def fold(alias: str) -> str:
    """ASCII spelling of an alias: "Türkiye" -> "Turkiye", "Côte d'Ivoire" -> "Cote d'Ivoire"."""
    decomposed = unicodedata.normalize("NFKD", alias.translate(FOLD_TABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def variants(alias: str, kind: str) -> list[tuple[str, str, str]]:
    """Derived spellings of one alias as (alias, kind, note).

    Scraped copy often loses apostrophes ("Irans nuclear programme"), so short names get an s-form.
    """
    found = []
    if kind == "demonym" and alias.endswith(PLURAL_ENDINGS):
        found.append((alias + "s", "demonym", f"plural of {alias}"))
    words = alias.split()
    if kind == "name" and len(words) <= 2 and words[-1] not in FORMAL_WORDS and not alias.endswith("s"):
        found.append((alias + "s", "alt", f"possessive of {alias} with the apostrophe lost in scraping"))
    for form, form_kind, _ in [(alias, kind, ""), *found]:
        ascii_form = fold(form)
        if ascii_form != form and ascii_form.isascii():
            found.append((ascii_form, form_kind, f"ASCII spelling of {form}"))
    for form, form_kind, _ in [(alias, kind, ""), *found]:
        if "'" in form:
            curly = form.replace("'", CURLY_APOSTROPHE)
            found.append((curly, form_kind, f"curly-apostrophe spelling of {form}"))
    return found


def add_variants(rows: dict) -> dict:
    """Add derived spellings that neither repeat nor collide with an existing alias."""
    owner = {alias: code for code, alias in rows}
    derived = {}
    for (code, alias), (kind, _) in sorted(rows.items()):
        for form, form_kind, note in variants(alias, kind):
            if form in COMMON_WORDS or owner.get(form, code) != code:
                log.info("skip %s %r (%s): common word or another state's alias", code, form, note)
                continue
            if (code, form) not in rows and (code, form) not in derived:
                derived[(code, form)] = (form_kind, note)
                owner[form] = code
    return {**rows, **derived}


def build_rows() -> list[Row]:
    rows = apply_drops(add_variants(base_rows()))
    return [(code, alias, kind, note) for (code, alias), (kind, note) in rows.items()]


def render(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(sorted(rows, key=lambda row: (row[0], row[2], row[1])))
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if countries.csv is stale")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.check else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    text = render(build_rows())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    log.info("wrote %d aliases to %s", text.count("\n") - 1, OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
