"""Words in the passive: the rules of attribution (pipeline.attribution) for sentences whose actors are
what the words are aimed at, not who spoke them.

A headline ending in words in the passive names their target before them and, at most, the place
they were said in: "U.S. War of Aggression Denounced in S. Korea" (KOR -> USA, rule `passive`);
"U.S.-S. Korea Joint Military Drill Denounced" says not who denounced it, and its actors are no
pair. So with words aimed at what precedes them, saying what for: "Japan Accused of Toeing U.S. Line",
"Japan was criticised for siding with the US". A deed reported beside them ("Israel's attack on Gaza
slammed") is left to the other rules, as is what two sides do together ("Agreement ... Signed").
"""

from __future__ import annotations

import re

from pipeline.categories import kind_of

# What a rule returns for a sentence whose actors are no pair: words in the passive name whom they are
# aimed at, not who spoke; two actors appealing as one subject (pipeline.attribution) address a third.
NO_PAIR = ("", "", "none")
# A headline (no closing stop) ending in words in the passive, or in them and where they were said:
# "U.S. Arms Buildup in S. Korea Condemned", "Bush's junket denounced in S. Korea". What precedes the
# cue is what the words are aimed at; the place, when named, is where their speakers are. (Deeds in
# the passive are left to the other rules: "Two NATO Soldiers Killed in Afghanistan" names where, not
# who.)
PARTICIPLE = re.compile(r"[a-z]ed$", re.IGNORECASE)
HEADLINE_END = re.compile(r"[\s\"”'’)]*$")
PLACE_LEAD = re.compile(r"\s+(?:in|at)\s+(?:the\s+)?$")
# ... but for what two sides do together ("Agreement between DPRK and Russia Signed"): the other rules.
JOINT_ACTS = {"AGREE", "CONSULT"}
# Words whose target stands before them, what they are for after: "Japan Accused of Toeing U.S.
# Line", "Japan was criticised for siding with the US". Who spoke is not said there.
AIMED_AT = re.compile(r"(?:accused|charged|blamed|denounced|condemned|criticised|criticized|censured|slammed|"
                      r"blasted|rapped|lambasted|castigated|urged|pressed)$", re.IGNORECASE)
HEADLINE_SUBJECT_WORDS = 6
REASON_AFTER = re.compile(r"\s+(?:of|for|over|to)\b")
PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|be)\s+(?:\w+ly\s+)?$")


def headline_passive(text, mentions, cues):
    """(place, first actor before the cue, "passive") for a headline ending in words in the passive
    and the place they were said in; NO_PAIR for one ending in them alone (who spoke is not said),
    unless it reports a deed too ("Israel's attack on Gaza slammed": the other rules); else None."""
    last = max(cues, key=lambda c: c.end)
    if (kind_of(last.category) != "words" or last.category in JOINT_ACTS
            or not PARTICIPLE.search(text[last.start : last.end])):
        return None
    place = next((m for m in mentions if m.start >= last.end), None)
    if HEADLINE_END.fullmatch(text, last.end):
        place = None
    elif not (place and PLACE_LEAD.fullmatch(text, last.end, place.start)
              and HEADLINE_END.fullmatch(text, place.end)):
        return None
    aimed_at = next((m for m in mentions if m.end <= last.start and m.code != (place and place.code)), None)
    if place and aimed_at:
        return place.code, aimed_at.code, "passive"
    return None if any(kind_of(c.category) == "deeds" for c in cues) else NO_PAIR


def aimed_before(text, cue) -> bool:
    """Whether the cue is words aimed at what precedes them, then saying what for (AIMED_AT)."""
    return bool(AIMED_AT.search(text, cue.start, cue.end) and REASON_AFTER.match(text, cue.end))


def words_aimed_at(text, cues, first):
    """NO_PAIR when the first cue (`first`) is words in the passive, aimed at what precedes them and saying
    what for ("Japan Accused of Toeing U.S. Line"; in a sentence, after "was": "Japan was accused of
    ..."), and no deed is reported: who spoke is not said. Else None."""
    if not aimed_before(text, first):
        return None
    # A headline's subject is short; after a longer stretch the words are most often a clause's
    # ("Court in eastern Ukraine convicts two Britons accused of ...").
    headline = (not text.rstrip().endswith((".", "!", "?"))
                and len(text[: first.start].split()) <= HEADLINE_SUBJECT_WORDS)
    if not headline and not PASSIVE_BEFORE.search(text, 0, first.start):
        return None
    return None if any(kind_of(c.category) == "deeds" for c in cues) else NO_PAIR
