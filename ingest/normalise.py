"""Text clean-up applied to every extracted text before it is chunked."""

from __future__ import annotations

import re
import unicodedata

# Space-like characters that PDFs and Word files use in place of a plain space.
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
# Characters with no visible meaning that break words apart when searched.
_SURROGATES = re.compile("[\ud800-\udfff]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
# Private-use code points come from PDF fonts with custom encodings and carry no text.
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_HYPHEN_BREAK = re.compile(r"(\w)-\n[ ]*([a-z])")
# Starts only at the first space of a run: from every space of a long run not followed by a line
# break, a plain "[ ]+\n" would rescan the rest of the run (quadratic time).
_TRAILING_SPACE = re.compile(r"(?<![ ])[ ]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_MANY_SPACES = re.compile(r"[ ]{2,}")
# Dot leaders of tables of contents: dozens of tokens that carry no meaning.
_DOT_LEADER = re.compile(r"(?:\.[ ]?){4,}|…{2,}")


def normalise(text: str) -> str:
    """Return `text` with Unicode folded (NFKC), odd spaces made plain, hyphen breaks joined,
    and one-word-per-line extraction repaired."""
    # Lone surrogates (from character references such as &#xD800;) cannot be stored or encoded.
    text = _SURROGATES.sub("\ufffd", text)
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _PRIVATE_USE.sub(" ", text)
    if looks_one_word_per_line(text):
        text = repair_one_word_per_line(text)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = _DOT_LEADER.sub(" … ", text)
    text = _MANY_SPACES.sub(" ", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()


def looks_one_word_per_line(text: str) -> bool:
    """True when most non-blank lines hold a single word: some PDF producers emit every
    word, and every space, as a line of its own."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 20:
        return False
    single = sum(1 for line in lines if len(line.split()) == 1)
    return single / len(lines) >= 0.8


def repair_one_word_per_line(text: str) -> str:
    """Join words emitted one per line. In such text a line holding only a space stands for
    a space, and a run of several such lines for a line break."""
    out: list[str] = []
    blank_run = 0
    for line in text.split("\n"):
        if not line.strip():
            blank_run += 1
            continue
        if out and blank_run >= 2:
            out.append("\n")
        elif out and blank_run == 1:
            out.append(" ")
        # With no blank line between, the piece belongs to the word before (e.g. "Mapping" ":").
        out.append(line.strip())
        blank_run = 0
    return "".join(out)
