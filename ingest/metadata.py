"""Reading and checking document metadata from front matter and sidecar files.

Metadata is typed by editors, so every way it can be wrong ends as a problem string that the run
report shows, never as an exception that stops the index run.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

import yaml
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ingest.audience import read_audience
from ingest.errors import first_line
from ingest.fields import Fields
from ingest.kinds import details_from_json, details_to_json, take_details
from ingest.types import KINDS, STATUSES, Metadata

_KNOWN = {
    "title",
    "kind",
    "agency",
    "focus_area",
    "initiative",
    "published",
    "review_by",
    "status",
    "tags",
    "summary",
    "source_url",
    "audience",
}

# A metadata block is a dozen short fields (well under 2 KB in the sample corpus); anything past
# 64 KB is a pasted document or a generated attack, and YAML parsing in pure Python is slow.
MAX_METADATA_BYTES = 64 * 1024
# Editors have no use for YAML aliases in metadata; a handful is allowed so a repeated list can be
# shared. Each alias can copy a whole structure, so a few dozen nested ones (a "billion laughs"
# block of 700 bytes) would expand to gigabytes once the values are copied or printed.
MAX_YAML_ALIASES = 20
# Values after alias expansion; bounds the copies made by _plain, str() and JSON downstream.
MAX_YAML_VALUES = 10_000
# Nesting of lists and mappings. Metadata is flat; a deep structure only costs recursion.
MAX_DEPTH = 20

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _MetadataProblem(Exception):
    """Metadata past one of the limits above, or that cannot be stored; the message says why."""


_SURROGATES = re.compile("[\ud800-\udfff]")


class _HubLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as text and refuses alias bombs and deep nesting.

    PyYAML builds dates itself and raises ValueError for an impossible one such as 2025-02-30,
    out of reach of the YAML error handling; as text, parse_metadata checks them and reports."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        # Anchors of the nodes being composed, outermost first ("" for a node without one).
        self._open_anchors: list[str] = []
        self._values: dict[int, int] = {}

    def construct_scalar(self, node: Node) -> Any:
        """A scalar as SafeLoader builds it, with lone surrogates (which YAML's "\\ud800" escapes
        can make, and which no file or database can store) replaced by '\ufffd'."""
        value = super().construct_scalar(node)  # type: ignore[arg-type]
        if isinstance(value, str) and _SURROGATES.search(value):
            # Pairs written as two escapes ("\\ud83d\\ude42", as JSON writers do) are one
            # character; only a surrogate without its partner is replaced.
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            return _SURROGATES.sub("\ufffd", value)
        return value

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose one node as SafeLoader does, counting aliases, depth and expanded values.

        Raises _MetadataProblem when a limit is passed or an alias points into its own value."""
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise _MetadataProblem(f"too many YAML aliases (more than {MAX_YAML_ALIASES})")
            if event.anchor in self._open_anchors:
                raise _MetadataProblem(f"the YAML alias *{event.anchor} refers to a value that contains itself")
            return super().compose_node(parent, index)
        if len(self._open_anchors) >= MAX_DEPTH:
            raise _MetadataProblem(f"values nested more than {MAX_DEPTH} levels deep")
        anchor = event.anchor if isinstance(event, NodeEvent) else None
        self._open_anchors.append(anchor or "")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._open_anchors.pop()
        self._count_values(node)
        return node

    def _count_values(self, node: Node | None) -> None:
        """Record how many values `node` stands for once every alias in it is copied out."""
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        total = 1 + sum(self._values.get(id(child), 1) for child in children)
        if total > MAX_YAML_VALUES:
            raise _MetadataProblem(f"the YAML expands to more than {MAX_YAML_VALUES:,} values through its aliases")
        self._values[id(node)] = total


def _construct_timestamp(loader: _HubLoader, node: ScalarNode) -> str:
    """A timestamp given an explicit !!timestamp tag, kept as text like an untagged one."""
    return str(loader.construct_scalar(node))


def _construct_int(loader: _HubLoader, node: ScalarNode) -> int | str:
    """An integer as SafeLoader builds it, or its text when it needs more than 64 bits.

    Python refuses to print integers of over 4,300 digits, so storing one as JSON would fail."""
    try:
        value = loader.construct_yaml_int(node)
    except ValueError:
        return str(loader.construct_scalar(node))
    return value if abs(value).bit_length() <= 64 else str(loader.construct_scalar(node))


# A copy for this class only: SafeLoader's own table is shared by every yaml.safe_load caller.
_HubLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_HubLoader.add_constructor(_TIMESTAMP_TAG, _construct_timestamp)
_HubLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


@dataclass(frozen=True)
class ParsedMetadata:
    metadata: Metadata
    problems: tuple[str, ...]


def split_front_matter(text: str) -> tuple[dict[str, Any], str, str]:
    """Split Markdown into (front matter mapping, body, problem).

    A block that is not valid YAML, not a mapping, or past a limit gives an empty mapping and a
    problem naming why; this never raises."""
    if not text.startswith("---"):
        return {}, text, ""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text, ""
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            raw = "\n".join(lines[1:end])
            body = "\n".join(lines[end + 1 :])
            data, problem = load_yaml_mapping(raw, "front matter")
            return data, body, problem
    return {}, text, "front matter: no closing '---' line"


def load_yaml_mapping(raw: str, where: str) -> tuple[dict[str, Any], str]:
    """Parse YAML that should be a mapping; return (mapping, problem or '').

    Dates stay as text. Never raises: invalid YAML, a block over MAX_METADATA_BYTES, alias bombs,
    deep nesting and any error while building the values give ({}, a problem naming `where`)."""
    # Characters never outnumber UTF-8 bytes, so a long text is refused before it is encoded.
    if len(raw) > MAX_METADATA_BYTES or len(raw.encode("utf-8", errors="replace")) > MAX_METADATA_BYTES:
        return {}, f"{where}: the metadata is over {MAX_METADATA_BYTES // 1024} KB ({len(raw):,} characters)"
    loader = _HubLoader(raw)
    try:
        data = loader.get_single_data()
    except _MetadataProblem as exc:
        return {}, f"{where}: {exc}"
    except yaml.YAMLError as exc:
        return {}, f"{where}: invalid YAML ({_yaml_problem(exc)})"
    except RecursionError:
        return {}, f"{where}: the YAML is nested too deeply to read"
    except Exception as exc:  # PyYAML's value builders raise ValueError, OverflowError and others
        return {}, f"{where}: a value could not be read ({type(exc).__name__}: {first_line(exc)})"
    finally:
        loader.dispose()
    if data is None:
        return {}, ""
    if not isinstance(data, dict):
        return {}, f"{where}: expected key: value pairs, got {type(data).__name__}"
    return {str(k): v for k, v in data.items()}, ""


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """What PyYAML found wrong and on which line, or the first line of its message."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        mark = exc.problem_mark
        return exc.problem + (f" on line {mark.line + 1}" if mark is not None else "")
    return first_line(exc) or "no details"


def parse_metadata(raw: dict[str, Any]) -> ParsedMetadata:
    """Check every known field, and the details of a tool, case study or initiative (see
    ingest/kinds.py); an invalid value is reported in `problems` and left empty.

    Never raises: values nested past MAX_DEPTH are left out of `extra` and reported."""
    fields = Fields(raw)
    tags = fields.tags("tags")
    extra = _extra(raw, fields.problems)
    metadata = Metadata(
        title=fields.text("title"),
        kind=fields.choice("kind", KINDS, ""),
        agency=fields.text("agency"),
        focus_area=fields.text("focus_area"),
        initiative=fields.text("initiative"),
        published=fields.day("published"),
        review_by=fields.day("review_by"),
        status=fields.choice("status", STATUSES, "current"),
        tags=tags,
        summary=fields.text("summary"),
        source_url=fields.text("source_url"),
        audience=read_audience(raw, fields.problems),
    )
    details, extra, problems = take_details(metadata.kind, extra)
    return ParsedMetadata(replace(metadata, details=details, extra=extra), (*fields.problems, *problems))


def _extra(raw: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """The keys of `raw` that are no known field, made JSON-safe; a value that cannot be stored
    is left out and noted in `problems`."""
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _KNOWN:
            continue
        try:
            extra[key] = _plain(value)
        except _MetadataProblem as exc:
            problems.append(f"{key}: {exc}; left out")
    return extra


def _plain(value: Any, depth: int = 0) -> Any:
    """`value` made JSON-safe so it can be stored: dates become ISO strings, YAML's sets and
    ordered pairs become lists.

    Raises _MetadataProblem for binary data, and for lists and mappings nested more than
    MAX_DEPTH levels, which includes a list or mapping that contains itself."""
    if depth > MAX_DEPTH:
        raise _MetadataProblem(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        raise _MetadataProblem("binary data (!!binary) cannot be stored")
    if isinstance(value, (set, frozenset)):
        return [_plain(v, depth + 1) for v in sorted(value, key=repr)]
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    return value


def metadata_to_json(meta: Metadata) -> dict[str, Any]:
    """A JSON-safe mapping of `meta`."""
    return {
        "title": meta.title,
        "kind": meta.kind,
        "agency": meta.agency,
        "focus_area": meta.focus_area,
        "initiative": meta.initiative,
        "published": meta.published.isoformat() if meta.published else None,
        "review_by": meta.review_by.isoformat() if meta.review_by else None,
        "status": meta.status,
        "tags": list(meta.tags),
        "summary": meta.summary,
        "source_url": meta.source_url,
        "audience": list(meta.audience),
        "details": details_to_json(meta.details),
        "extra": meta.extra,
    }


def metadata_from_json(data: dict[str, Any]) -> Metadata:
    """The inverse of `metadata_to_json`. Metadata saved before details were kept apart has
    them among `extra`, and they are read from there."""
    kind = data.get("kind", "")
    extra = dict(data.get("extra", {}))
    if "details" in data:
        details = details_from_json(kind, data["details"])
    else:
        details, extra, _ = take_details(kind, extra)
    # Saved before audiences were read, an audience sits among `extra`: read as it is now, so a
    # document its editor restricted is never opened by an index made before.
    audience = tuple(data["audience"]) if "audience" in data else read_audience(extra, [])
    extra.pop("audience", None)
    return Metadata(
        title=data.get("title", ""),
        kind=kind,
        agency=data.get("agency", ""),
        focus_area=data.get("focus_area", ""),
        initiative=data.get("initiative", ""),
        published=dt.date.fromisoformat(data["published"]) if data.get("published") else None,
        review_by=dt.date.fromisoformat(data["review_by"]) if data.get("review_by") else None,
        status=data.get("status", "current"),
        tags=tuple(data.get("tags", ())),
        summary=data.get("summary", ""),
        source_url=data.get("source_url", ""),
        audience=audience,
        details=details,
        extra=extra,
    )
