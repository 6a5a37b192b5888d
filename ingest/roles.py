"""What a passage is for a reader: running text, or a list that only points elsewhere (a table of
contents, a reference list, a list of links). Such lists name a document's topics without saying
anything about them, so they help find the document but are no place to send a reader."""

from __future__ import annotations

import re
from typing import Literal

Role = Literal["body", "card", "contents", "references", "links"]
ROLES: tuple[Role, ...] = ("body", "card", "contents", "references", "links")

# Headings under which every passage is a list of pointers, whatever its lines look like.
_REFERENCE_HEADINGS = re.compile(
    r"^(?:\d+(?:\.\d+)*\s+)?(?:references?|bibliography|works cited|citations|endnotes|footnotes)$",
    re.IGNORECASE,
)
_CONTENTS_HEADINGS = re.compile(r"^(?:table of )?contents$|^list of (?:figures|tables)$", re.IGNORECASE)
_LINK_HEADINGS = re.compile(r"^(?:see also|related(?: \w+)?|further reading|useful links|links)$", re.IGNORECASE)

# A contents line: a title ending in a page number, with or without dot leaders ("3.2 Safe 14",
# "Introduction ........ 5"). Page numbers have at most three digits, so a sentence ending in a
# year is no contents line.
_CONTENTS_LINE = re.compile(r"\S.*?(?:\s|\.{2,}|…)\s*(?:\d{1,3}|[ivxlc]{1,6})$", re.IGNORECASE)
_CONTENTS_TITLE = re.compile(r"^(?:table of )?contents\b|^list of (?:figures|tables)\b", re.IGNORECASE)
# Marks of a citation: a publication year as references print it, and the words and identifiers
# reference lists are made of. Counted per line, as a PDF's reference list breaks one entry over
# two or three lines.
# A year as references print it, closing a bracket or followed by punctuation ("2019.", "2019, 12",
# "(Apr. 4, 2011)"); never the "Q2 2025:" of a list of milestones, which is running text.
_CITED_YEAR = re.compile(r"(?:\(|\b)(?:19|20)\d\d[a-z]?(?:\)|[.,;](?!\d))|\([^()]{0,20}\s(?:19|20)\d\d\)")
_CITATION_MARK = re.compile(
    r"\bet al\b|\bdoi\b|arxiv|\bproceedings\b|\bjournal\b|\bconference\b|\bretrieved\b|\baccessed\b|"
    r"\bvol\.|\bpp\.|\bisbn\b|\bpress\b|\buniversity\b|https?://|\bin:|\bno\. \d|"
    r"\bassociation for computing|\bacm\b|\bieee\b|\bssrn\b|\bspringer\b|\blaw review\b|"
    r"“[^”]{8,}”|\"[^\"]{8,}\"",
    re.IGNORECASE,
)
# A Markdown line that is a link and little else: a bullet, the link, at most a few words.
# Each word must end at a space or the line's end: "(?:\S+\s*)" would let one long word split
# into pieces in every possible way before failing, for minutes on a line of a hundred letters.
_LINK_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*\[[^\]]+\]\([^)]*\)[\s.,;:–-]*(?:\S+(?:\s+|$)){0,6}$")
_SHORT_ITEM = re.compile(r"^(?:[-*+•]|\d+[.)])\s+(?:\S+(?:\s+|$)){1,12}$")
_BARE_URL_LINE = re.compile(r"^\s*(?:[-*+]\s*)?<?https?://\S+>?\s*$")

# Thresholds, chosen on the reference lists, contents pages and link lists of the real PDFs and
# Markdown pages the hub was checked on, and on running text with dates and citations in it
# (policy text citing a few sources, which must stay body): a passage is a reference list when
# at least this share of its lines carry a citation mark and it holds several cited years ...
REFERENCE_LINE_SHARE = 0.45
REFERENCE_MIN_YEARS = 3
# ... a table of contents when this share of its lines end in a page number ...
CONTENTS_LINE_SHARE = 0.6
# ... and a link list when this share of its lines are links alone.
LINK_LINE_SHARE = 0.6
MIN_LINES = 3


def passage_role(text: str, heading_path: tuple[str, ...]) -> Role:
    """The role of a passage with `text` under `heading_path`. The summary card is recognised
    where it is made (ingest.pipeline), not here: this only tells lists of pointers from text."""
    section = heading_path[-1].strip() if heading_path else ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if _REFERENCE_HEADINGS.match(section) or _is_reference_list(lines):
        return "references"
    if _CONTENTS_HEADINGS.match(section) or _is_contents(lines):
        return "contents"
    if _is_link_list(lines, section):
        return "links"
    return "body"


def _share(lines: list[str], pattern: re.Pattern[str]) -> float:
    return sum(1 for line in lines if pattern.match(line)) / len(lines) if lines else 0.0


def _is_reference_list(lines: list[str]) -> bool:
    if len(lines) < MIN_LINES:
        return False
    cited = sum(1 for line in lines if _CITATION_MARK.search(line) or _CITED_YEAR.search(line))
    years = sum(len(_CITED_YEAR.findall(line)) for line in lines)
    return cited / len(lines) >= REFERENCE_LINE_SHARE and years >= REFERENCE_MIN_YEARS


def _is_contents(lines: list[str]) -> bool:
    if len(lines) < MIN_LINES:
        return False
    # The heading may be the passage's first line (PDFs have no headings the loader sees).
    body = lines[1:] if _CONTENTS_TITLE.match(lines[0]) else lines
    short = [line for line in body if len(line) <= 120]
    return _share(short, _CONTENTS_LINE) >= CONTENTS_LINE_SHARE and len(short) >= 0.8 * len(body)


def _is_link_list(lines: list[str], section: str) -> bool:
    """Whether `lines` are links alone; under a "See also" heading, short list items count too, as
    the Markdown loader keeps a link's words and drops its address."""
    under_link_heading = bool(_LINK_HEADINGS.match(section))
    if lines and lines[0].casefold() == section.casefold():
        lines = lines[1:]  # the passage repeats its heading as its first line
    if len(lines) < (1 if under_link_heading else MIN_LINES):
        return False
    links = sum(
        1
        for line in lines
        if _LINK_LINE.match(line) or _BARE_URL_LINE.match(line) or (under_link_heading and _SHORT_ITEM.match(line))
    )
    return links / len(lines) >= LINK_LINE_SHARE
