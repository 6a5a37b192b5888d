"""Reading and checking the editors' curation files: best bets, synonyms and the agency list.

They live in the corpus folder, under `_curation/` (a folder the document scan never enters), so
they are versioned with the documents. Like metadata, every way a file can be wrong ends as a
problem naming the file and line, never as an exception: a bad entry is left out and the rest of
its file, and the other files, still apply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

FOLDER = "_curation"
BEST_BETS = "best_bets.yaml"
SYNONYMS = "synonyms.yaml"
AGENCIES = "agencies.yaml"
FILES = (BEST_BETS, SYNONYMS, AGENCIES)
# A curation file is a few hundred short lines; past this it is a mistake, and YAML in pure
# Python is slow.
MAX_FILE_BYTES = 256 * 1024
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
T = TypeVar("T")


def words(text: str) -> tuple[str, ...]:
    """The words of `text` as matching compares them: lower case, without diacritics ('Māori'
    and 'maori' are one word), split on anything that is not a letter or digit."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return tuple(_WORD.findall("".join(ch for ch in decomposed if not unicodedata.combining(ch))))


@dataclass(frozen=True)
class Problem:
    """Something wrong in a curation file: which file (relative to the corpus), which line
    (1-based; 0 for the whole file) and what."""

    file: str
    line: int
    message: str

    def text(self) -> str:
        """The problem as one line for people: 'file, line N: message'."""
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class BestBet:
    """Queries whose search shows `documents` first, as "Recommended", until the end date."""

    phrases: tuple[str, ...]
    documents: tuple[str, ...]
    until: dt.date | None
    line: int


@dataclass(frozen=True)
class Agency:
    """An agency's name as the Agency filter shows it, and the other names documents use."""

    name: str
    aliases: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Curation:
    """What the curation files say, checked: only valid entries are kept, every problem is listed."""

    best_bets: tuple[BestBet, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()
    agencies: tuple[Agency, ...] | None = None  # None: there is no agency list
    problems: tuple[Problem, ...] = ()


def source_hash(corpus_dir: Path) -> str:
    """A hash of the curation files as they are now ('' when there is none): a run whose
    documents are unchanged but whose curation hash differs publishes a new build."""
    digest = hashlib.sha256()
    found = False
    for name in FILES:
        path = corpus_dir / FOLDER / name
        try:
            data = path.read_bytes()[: MAX_FILE_BYTES + 1]
        except OSError:
            continue
        found = True
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest() if found else ""


class _NoAliases(yaml.SafeLoader):
    """A loader that refuses YAML aliases: a curation file has no use for them, and each can
    copy a whole structure (alias bombs)."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if isinstance(self.peek_event(), AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.MarkedYAMLError(None, None, "YAML aliases (*name) are not allowed here", mark)
        return super().compose_node(parent, index)


class _Reader:
    """Reads one curation file into nodes, collecting its problems."""

    def __init__(self, corpus_dir: Path, name: str) -> None:
        self.file = f"{FOLDER}/{name}"
        self.path = corpus_dir / FOLDER / name
        self.problems: list[Problem] = []

    def note(self, node: Node | None, message: str) -> None:
        self.problems.append(Problem(self.file, node.start_mark.line + 1 if node is not None else 0, message))

    def entries(self) -> list[Node]:
        """The file's top-level list items; [] (with the problem noted) when it is absent,
        unreadable, not YAML or not a list."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            self.note(None, f"could not be read ({exc.strerror or exc})")
            return []
        if len(raw) > MAX_FILE_BYTES:
            self.note(None, f"is over {MAX_FILE_BYTES // 1024} KB; not read")
            return []
        loader = _NoAliases(raw.decode("utf-8", errors="replace"))
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 0
            self.problems.append(Problem(self.file, line, f"invalid YAML ({exc.problem or exc}); the file is not used"))
            return []
        except (yaml.YAMLError, RecursionError) as exc:
            self.note(None, f"invalid YAML ({exc}); the file is not used")
            return []
        finally:
            loader.dispose()
        if root is None:
            return []
        if not isinstance(root, SequenceNode):
            self.note(root, "expected a list of entries (lines starting with '- '); the file is not used")
            return []
        return list(root.value)

    def texts(self, node: Node | None, what: str) -> tuple[str, ...]:
        """A text or a list of texts, stripped and non-empty; problems noted for anything else."""
        items = node.value if isinstance(node, SequenceNode) else [node] if node is not None else []
        found: list[str] = []
        for item in items:
            if isinstance(item, ScalarNode) and item.value.strip():
                found.append(item.value.strip())
            else:
                self.note(item, f"each {what} must be a piece of text; left out")
        return tuple(dict.fromkeys(found))

    def fields(self, node: Node, allowed: tuple[str, ...]) -> dict[str, Node] | None:
        """The fields of a mapping entry; None (noted) when the entry is not a mapping. Unknown
        keys are noted and ignored."""
        if not isinstance(node, MappingNode):
            self.note(node, f"expected an entry with the fields {', '.join(allowed)}; left out")
            return None
        found: dict[str, Node] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else ""
            if name not in allowed:
                self.note(key, f"unknown field {name!r} (expected {', '.join(allowed)}); ignored")
            elif name in found:
                self.note(key, f"the field {name!r} is given twice; the first is used")
            else:
                found[name] = value
        return found


def _best_bet(reader: _Reader, node: Node, doc_ids: Collection[str], today: dt.date) -> BestBet | None:
    """One best bet, or None (with why) when it cannot apply."""
    fields = reader.fields(node, ("queries", "documents", "until"))
    if fields is None:
        return None
    phrases = tuple(p for p in reader.texts(fields.get("queries"), "query") if words(p))
    documents = reader.texts(fields.get("documents"), "document")
    unknown = [d for d in documents if d not in doc_ids]
    for doc_id in unknown:
        reader.note(fields["documents"], f"no document has the id {doc_id!r}; left out")
    documents = tuple(d for d in documents if d not in unknown)
    until = None
    if "until" in fields:
        value = fields["until"]
        try:
            until = dt.date.fromisoformat(value.value.strip()) if isinstance(value, ScalarNode) else None
        except ValueError:
            until = None
        if until is None:
            reader.note(value, "until: expected a date written YYYY-MM-DD; the best bet is not used")
            return None
        if until < today:
            reader.note(value, f"ended on {until.isoformat()}; no longer shown (remove it or change the date)")
            return None
    if not phrases or not documents:
        reader.note(node, "a best bet needs at least one query and one known document; not used")
        return None
    return BestBet(phrases, documents, until, node.start_mark.line + 1)


def _unique(reader: _Reader, node: Node, names: tuple[str, ...], seen: dict[tuple[str, ...], int]) -> tuple[str, ...]:
    """`names` less those (compared as words) already used on an earlier line, each noted."""
    kept: list[str] = []
    for name in names:
        key = words(name)
        if key in seen:
            reader.note(node, f"{name!r} is already used on line {seen[key]}; ignored here")
            continue
        seen[key] = node.start_mark.line + 1
        kept.append(name)
    return tuple(kept)


def _entries(
    reader: _Reader, read: Callable[[Node, dict[tuple[str, ...], int]], T | None]
) -> tuple[tuple[T, ...], bool]:
    """Each valid entry of the reader's file, read by `read`, and whether the file exists."""
    seen: dict[tuple[str, ...], int] = {}
    found = [entry for node in reader.entries() if (entry := read(node, seen)) is not None]
    return tuple(found), reader.path.is_file()


def read_curation(corpus_dir: Path, doc_ids: Collection[str], today: dt.date | None = None) -> Curation:
    """The curation files under `corpus_dir/_curation`, checked against the documents `doc_ids`
    (best bets may name only those) and `today` (best bets past their end date are left out).
    Never raises: every problem is in `Curation.problems`."""
    today = today or dt.date.today()
    bets_reader, synonyms_reader, agencies_reader = (_Reader(corpus_dir, name) for name in FILES)

    def bet(node: Node, seen: dict[tuple[str, ...], int]) -> BestBet | None:
        found = _best_bet(bets_reader, node, doc_ids, today)
        if found is None:
            return None
        phrases = _unique(bets_reader, node, found.phrases, seen)
        return BestBet(phrases, found.documents, found.until, found.line) if phrases else None

    def group(node: Node, seen: dict[tuple[str, ...], int]) -> tuple[str, ...] | None:
        if not isinstance(node, SequenceNode):
            synonyms_reader.note(node, "expected a list of equivalent terms, such as [PIA, privacy impact assessment]")
            return None
        terms = _unique(synonyms_reader, node, tuple(t for t in synonyms_reader.texts(node, "term") if words(t)), seen)
        if len(terms) < 2:
            synonyms_reader.note(node, "a group needs at least two different terms; not used")
            return None
        return terms

    def agency(node: Node, seen: dict[tuple[str, ...], int]) -> Agency | None:
        fields = agencies_reader.fields(node, ("name", "aliases"))
        if fields is None:
            return None
        names = agencies_reader.texts(fields.get("name"), "name")
        if len(names) != 1:
            agencies_reader.note(node, "an agency needs one name; not used")
            return None
        kept = _unique(agencies_reader, node, names + agencies_reader.texts(fields.get("aliases"), "alias"), seen)
        if not kept or kept[0] != names[0]:
            return None
        return Agency(kept[0], kept[1:], node.start_mark.line + 1)

    bets, _ = _entries(bets_reader, bet)
    groups, _ = _entries(synonyms_reader, group)
    agencies, listed = _entries(agencies_reader, agency)
    problems = (*bets_reader.problems, *synonyms_reader.problems, *agencies_reader.problems)
    return Curation(bets, groups, agencies if listed else None, tuple(problems))
