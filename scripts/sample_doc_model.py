"""Data model and markup parser for the sample documents written by make_sample_docs.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SampleDoc:
    """One sample document: where it goes, its metadata, and its body in the light markup."""

    path: str  # document id: the path inside corpus/
    meta: dict[str, object]
    body: str
    subtitle: str = ""

    @property
    def title(self) -> str:
        return str(self.meta["title"])


@dataclass(frozen=True)
class Heading:
    level: int  # 1 or 2
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class ListBlock:
    items: tuple[str, ...]
    numbered: bool


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)


Block = Heading | Paragraph | ListBlock | Table

_NUMBERED = re.compile(r"^\d+\.\s+")


def _split_row(line: str) -> tuple[str, ...]:
    return tuple(cell.strip() for cell in line.strip().strip("|").split("|"))


def parse_body(body: str) -> list[Block]:
    """Parse the light markup (see sample_doc_texts_a.py) into a list of blocks."""
    blocks: list[Block] = []
    para: list[str] = []
    items: list[str] = []
    numbered = False
    rows: list[tuple[str, ...]] = []

    def flush() -> None:
        nonlocal para, items, rows
        if para:
            blocks.append(Paragraph(" ".join(para)))
            para = []
        if items:
            blocks.append(ListBlock(tuple(items), numbered))
            items = []
        if rows:
            blocks.append(Table(rows[0], tuple(rows[1:])))
            rows = []

    for raw in body.strip().splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("## "):
            flush()
            blocks.append(Heading(2, stripped[3:].strip()))
        elif stripped.startswith("# "):
            flush()
            blocks.append(Heading(1, stripped[2:].strip()))
        elif stripped.startswith("|"):
            if para or items:
                flush()
            rows.append(_split_row(stripped))
        elif stripped.startswith("- ") or _NUMBERED.match(stripped):
            is_numbered = not stripped.startswith("- ")
            if para or rows or (items and is_numbered != numbered):
                flush()
            numbered = is_numbered
            text = stripped[2:] if not is_numbered else _NUMBERED.sub("", stripped)
            items.append(text.strip())
        elif items and raw.startswith("  "):
            # continuation line of the previous list item
            items[-1] = f"{items[-1]} {stripped}"
        else:
            if items or rows:
                flush()
            para.append(stripped)
    flush()
    return blocks
