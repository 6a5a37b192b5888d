"""Plain text and Markdown files: the text decoded, Markdown's headings found and its inline
markup replaced by the words it marks up."""

from __future__ import annotations

import re

from ingest.loaders.common import Loaded, TextBudget, decode
from ingest.metadata import split_front_matter
from ingest.types import Segment

_MD_HEADING = re.compile(r"(#{1,6})\s+(.+)")
_FENCE = re.compile(r"^\s*(```|~~~)")
# A link target: "(" up to ")", allowing one pair of parentheses inside, as Wikipedia links have.
# No part can cross another "(", and the possessive quantifiers never give back what they took, so
# a line of thousands of unclosed "[a](" is scanned a bounded number of times: linear time.
_MD_TARGET = r"\([^()\n]*+(?:\([^()\n]*+\)[^()\n]*+)?\)"
# Inline Markdown syntax, replaced by the text it marks up: readers see words, not markup, and
# link targets (file names, URLs) do not match searches for the words they contain. Every pattern
# stops scanning at the next opening mark of its own kind (link text at "[", bold at "**"), so no
# start is scanned past the next start: the old patterns rescanned the rest of the line from every
# "[" or "**" and took minutes on one long line.
_MD_INLINE = [
    (re.compile(r"!\[([^\[\]\n]*+)\]" + _MD_TARGET), r"\1"),
    (re.compile(r"\[([^\[\]\n]++)\]" + _MD_TARGET), r"\1"),
    (re.compile(r"\*\*(?=\S)((?:[^*\n]|\*(?!\*))+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"__(?=\S)((?:[^_\n]|_(?!_))+?)(?<=\S)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
]


def plain_markdown(line: str) -> str:
    """`line` with links, images, emphasis and code spans replaced by their text."""
    for pattern, replacement in _MD_INLINE:
        line = pattern.sub(replacement, line)
    return line


def plain_words(text: str) -> str:
    """Markdown `text` as words to show in a snippet: code fences dropped and every line's inline
    markup replaced by its text, inside fenced blocks too (a prompt template's "**Endpoints**")."""
    return "\n".join(plain_markdown(line) for line in text.split("\n") if not _FENCE.match(line))


def markdown_heading(line: str) -> tuple[int, str] | None:
    """(level, text) when `line` is an ATX heading such as "## Scope ##", else None.

    The closing run of '#' and the spaces around it are dropped with string methods: a regex that
    finds where the title ends retries at every character of a long run of spaces or '#'."""
    match = _MD_HEADING.match(line)
    if match is None:
        return None
    rest = match.group(2)
    title = rest.rstrip().rstrip("#").rstrip() or rest[:1]
    return len(match.group(1)), title


def load_markdown(name: str, raw: bytes, budget: TextBudget) -> Loaded:
    text, warnings = decode(name, raw)
    budget.add(len(text))
    front, body, problem = split_front_matter(text)
    if problem:
        warnings.append(problem)
    segments: list[Segment] = []
    block: list[str] = []
    in_fence = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else markdown_heading(line)
        if heading:
            segments.append(Segment("\n".join(block)))
            block = []
            segments.append(Segment(plain_markdown(heading[1]), heading_level=heading[0]))
        else:
            block.append(line if in_fence else plain_markdown(line))
    segments.append(Segment("\n".join(block)))
    return Loaded(segments, front_matter=front, warnings=warnings, source=body)


def load_text(name: str, raw: bytes, budget: TextBudget) -> Loaded:
    text, warnings = decode(name, raw)
    budget.add(len(text))
    return Loaded([Segment(text)], warnings=warnings)
