"""Boilerplate: the page furniture a pasted or scraped article carries (trackers, adverts, share and
follow widgets, captions, related links, bylines, agency notes, datelines, keyword tags).

The patterns describe kinds of boilerplate, not the strings of one site. Each is matched against a
whole short paragraph: a long paragraph is news, whatever words it contains.
"""

from __future__ import annotations

import re

from pipeline.datelines import is_dateline

# Paragraphs longer than this are news whatever words they contain.
MAX_BOILERPLATE_CHARS = 200

# Analytics and ad-server names: page residue when they stand as a bare token or in code.
TRACKER = re.compile(
    r"scorecardresearch|googletagmanager|google-analytics|doubleclick|googlesyndication|adsbygoogle"
    r"|chartbeat|quantserve|comscore|hotjar|taboola|outbrain|amazon-adsystem|criteo|facebook\.net",
)
# ... while in a sentence ("Google bought DoubleClick") they are news.
CODE_LIKE = re.compile(r"^\S+$|://|[{}();=<>]|\.js\b")
# A person's name after "By": capitalised words, then optionally ", Reuters" or "and X" credits.
BYLINE_NAME = re.compile(r"^(?i:by)\s+(?:[A-Z][\w.'’-]*\s*){1,4}(?:(?:,|\band\b|&|\|)\s*.{0,60})?$")
# Most kinds are anchored at the start of the paragraph and are tried there only (re.match); the
# few that may start anywhere are searched. One alternation each, matched on a lowered copy: twenty
# separate searches, or one IGNORECASE search, cost several times more.
BOILERPLATE_KINDS = (
    # adverts and reading prompts
    r"^(?:advertisement|advertising|advert|ad|sponsored(?: content)?|promoted|loading\W*"
    r"|(?:story|article) continues below(?: advertisement)?|continue reading(?: below| the main story)?"
    r"|scroll to continue(?: with content)?|skip advert(?:isement)?)$",
    # share widgets: a line made only of social buttons ("• share", "Facebook Twitter Email")
    r"^(?:[\W_]*\b(?:share(?: this)?(?: (?:article|story|post))?(?: on)?|tweet|e-?mail|print|whatsapp"
    r"|facebook|twitter|x|linkedin|reddit|telegram|pinterest|copy link|comments?|save|bookmark)\b)+"
    r"[\W_]*$",
    # follow prompts ("Follow: Google News Icon", "Follow us on Telegram") and icon alt texts
    r"^follow(?:\s+us)?(?:\s+on)?\s*(?:[:|–—-]|$)",
    r"^follow\b.{0,40}\bon\s+(?:twitter|x|facebook|instagram|telegram|whatsapp|youtube|google news)\b",
    r"^[\w' ]{0,40}\b(?:icon|logo)$",
    # image captions and credits ("null | Image: self", "(Photo: AP)", "File photo", "AFP via Getty")
    r"(?:^|\|\s*|\(\s*)(?:file\s+)?(?:image|photo|picture|pic|video|graphic)s?"
    r"(?:\s+(?:credit|courtesy|source))?\s*:",
    r"^\(?\s*(?:file|representational|representative|archive)\s+(?:photo|image|picture|pic)\b.{0,100}$",
    r"^\(?(?:[\w.]+\s*(?:/|via)\s*)?(?:getty images|reuters|afp|ap photo|epa(?:-efe)?|shutterstock"
    r"|pti|ani|ians|xinhua|yonhap|kcna|anadolu(?: agency)?)\)?$",
    # related links ("Read - X", "Read more: X", "Also read | X") and bare prompts
    r"^(?:also\s+)?(?:read|watch|see|listen)(?:\s+(?:more|also|next|too))?\s*(?:[:|>»–—-]\s*\S|$)",
    r"^(?:related|recommended|must read|don'?t miss|more from [\w ]{1,30}|more on this)\b"
    r"\s*(?:[:|–—-]|$)",
    # bylines and credits ("Reported by: X", "Reporting by X; Editing by Y", "Author: X")
    r"^(?:reported|written|edited|compiled|produced|curated)\s+by\b.{0,80}$",
    r"^\(?(?:additional\s+)?(?:reporting|writing|editing)\s+by\b.*$",
    r"^(?:authors?|correspondent|reporter|editor)\s*:.{1,80}$",
    # agency and syndication notes ("(With agency inputs)", "(This story has not been edited ...")
    r"^\(?\s*with\s+(?:agency\s+inputs|inputs\s+from\b.{0,60}|agencies|wires)\s*\)?\.?$",
    r"^\(?\s*this\s+(?:story|article|report)\s+has\s+not\s+been\s+edited\b.*$",
    r"^sources?\s*:.{1,60}$",
    # subscription prompts, tag lists and copyright lines
    r"^(?:subscribe|sign up|click here|download (?:the|our) app|get the app|join our)\b.{0,80}$",
    r"^(?:tags?|topics?|keywords?|filed under|categories)\s*:.*$",
    r"^(?:©|\(c\)|copyright\b).{0,120}$",
)
BOILERPLATE_AT_START = re.compile(
    "|".join(f"(?:{p[1:]})" for p in BOILERPLATE_KINDS if p.startswith("^"))
)
BOILERPLATE_ANYWHERE = re.compile(
    "|".join(f"(?:{p})" for p in BOILERPLATE_KINDS if not p.startswith("^"))
)
# A page title's section and site, as a <title> tag ends (WordPress's form): "Headline « Section |
# Site", kept inside the text by feeds that paste the title in: "... defiant (18.01.22 18:23) « War in
# Ukraine | Censor.NET. 18.01.22 18:23 - ...". Removed wherever it stands: a section named "War in
# Ukraine" read as a cue made 685 statements of the benchmark corpus from titles that held no other.
# The site is one to three words that end the paragraph or a sentence, so that a pipe in news text
# never takes a sentence with it; the section stops at a closing guillemet, so a French quotation
# closed with » never matches. Single spaces: clean_article has collapsed every run of them, and
# `\s*` beside the lazy section backtracks badly over long runs.
SITE_WORD = r"[^\s«»|]*[^\s«»|.]"  # a word of a site's name ("Censor.NET"), without the stop after it
TITLE_SUFFIX = re.compile(rf" ?« ?[^«»|\n]{{1,60}}? ?\| ?{SITE_WORD}(?: {SITE_WORD}){{0,2}}?(?=\.\s|\.?$)",
                          re.MULTILINE)
# The stop that ended a removed title suffix, left after a title's own mark ("Who runs the bank?.").
STOP_AFTER_MARK = re.compile(r"(?<=[!?])\.(?= |$)", re.MULTILINE)
# A date-time stamp in numbers, as feeds print one beside a title or before a summary: "Kyiv defiant
# (18.01.22 18:23)", "18.01.22 18:23 - Kyiv's professionals ...". Only in brackets or opening a
# sentence before a dash: a date in a sentence ("on 18.01.22 at 18:23") is the news's own.
_NUMERIC_STAMP = r"[0-3]?\d[./][01]?\d[./](?:\d\d){1,2},? [0-2]?\d:[0-5]\d"
DATE_TIME_STAMP = re.compile(rf" ?\({_NUMERIC_STAMP}\)|(?:^|(?<=[.!?] )){_NUMERIC_STAMP} [-–—] ",
                             re.MULTILINE)
# A clock time: DATE_TIME_STAMP, which starts with an alternation and so is tried at every position,
# runs only where this (starting with a character class, which Python's re scans for fast) is found.
CLOCK_TIME = re.compile(r"\d:[0-5]\d")
# A link's label closing a paragraph that a feed flattened ("... ready to take up arms again View
# article"): capitalised, as a link's label is, where a sentence's words are not ("... allowed to view
# the report"); those a sentence may start with ("Read more.") only after a finished sentence.
TRAILING_LINK = re.compile(
    r"(?:(?<= )(?:View (?:the )?(?:full |whole )?(?:article|story|report)|Continue reading"
    r"|Read the (?:full|whole) (?:article|story|report))(?: ?(?:…|\.\.\.|»|>>|→))?"
    r"|(?<=[.!?\"”’)] )(?:Read more|See more|More details|Read (?:the )?(?:article|story|report))"
    r"(?: ?(?:\.|…|\.\.\.|»|>>|→))?)$"
)
# How far from a paragraph's end TRAILING_LINK is looked for: its longest label and a bit.
TRAILING_LINK_REACH = 40
# The last words of TRAILING_LINK's labels: the regex runs only on a paragraph ending with one.
LINK_LAST_WORDS = frozenset({"article", "story", "report", "reading", "more", "details"})
LINK_END_MARKS = ".…»>→ "

# A bare keyword tag: one to three words, no sentence punctuation ("North Korea", "Iran nuclear deal").
TAG_LINE = re.compile(r"^[^\W\d_][\w'’&-]*(?:\s[\w'’&-]+){0,2}$")


def without_page_residue(paragraph: str) -> str:
    """The paragraph without what a feed pasted into it from the page: a title's "« Section | Site"
    (TITLE_SUFFIX), numeric date-time stamps (DATE_TIME_STAMP) and a closing link (TRAILING_LINK).

    >>> without_page_residue("Kyiv defiant (18.01.22 18:23) « War in Ukraine | Censor.NET. "
    ...                      "18.01.22 18:23 - Kyiv is ready. View article")
    'Kyiv defiant. Kyiv is ready.'
    """
    # Each regex runs only where a test of a string method (C speed) says it may match.
    if ":" in paragraph and CLOCK_TIME.search(paragraph):
        paragraph = DATE_TIME_STAMP.sub("", paragraph)
    if "«" in paragraph:  # after the stamps, which may stand between a title's mark and its suffix
        paragraph, removed = TITLE_SUFFIX.subn("", paragraph)
        paragraph = STOP_AFTER_MARK.sub("", paragraph) if removed else paragraph
    last_word = paragraph[-16:].rstrip(LINK_END_MARKS).rsplit(" ", 1)[-1].lower()
    if last_word not in LINK_LAST_WORDS:
        return paragraph
    link = TRAILING_LINK.search(paragraph, max(0, len(paragraph) - TRAILING_LINK_REACH))
    return paragraph[: link.start()].rstrip() if link else paragraph


def is_boilerplate(paragraph: str, whole_text_lower: str = "") -> bool:
    """True for page furniture: trackers, adverts, share and follow widgets, captions, related
    links, bylines, agency notes, datelines and keyword tags repeated from the text."""
    if len(paragraph) > MAX_BOILERPLATE_CHARS:
        return False
    # TRACKER and BOILERPLATE are written in lower case and matched on a lowered copy: an
    # IGNORECASE alternation is several times slower in Python's re.
    lowered = paragraph.lower()
    if TRACKER.search(lowered) and CODE_LIKE.search(paragraph):
        return True
    if BOILERPLATE_AT_START.match(lowered) or BOILERPLATE_ANYWHERE.search(lowered):
        return True
    if BYLINE_NAME.match(paragraph) and not paragraph.endswith((".", "!", "?")):
        return True
    return is_dateline(paragraph) or is_repeated_tag(paragraph, whole_text_lower)


def is_repeated_tag(paragraph: str, whole_text_lower: str) -> bool:
    """A one-to-three-word line whose words occur elsewhere in the text: a topic tag, not content."""
    if not TAG_LINE.match(paragraph):
        return False
    return whole_text_lower.count(paragraph.lower()) >= 2
