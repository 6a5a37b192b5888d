"""Reading and checking document metadata from front matter and sidecar files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml

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
}


@dataclass(frozen=True)
class ParsedMetadata:
    metadata: Metadata
    problems: tuple[str, ...]


def split_front_matter(text: str) -> tuple[dict[str, Any], str, str]:
    """Split Markdown into (front matter mapping, body, problem). A block that is not valid
    YAML or not a mapping gives an empty mapping and a problem naming why."""
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
    """Parse YAML that should be a mapping; return (mapping, problem or '')."""
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        return {}, f"{where}: invalid YAML ({first})"
    if data is None:
        return {}, ""
    if not isinstance(data, dict):
        return {}, f"{where}: expected key: value pairs, got {type(data).__name__}"
    return {str(k): v for k, v in data.items()}, ""


def parse_metadata(raw: dict[str, Any]) -> ParsedMetadata:
    """Check every known field; an invalid value is reported and left empty."""
    problems: list[str] = []

    def text(key: str) -> str:
        value = raw.get(key)
        if value is None:
            return ""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
        problems.append(f"{key}: expected text, got {type(value).__name__}")
        return ""

    def day(key: str) -> dt.date | None:
        value = raw.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            problems.append(f"{key}: {value!r} is not a date (use YYYY-MM-DD)")
            return None

    def choice(key: str, allowed: tuple[str, ...], default: str) -> str:
        value = text(key).lower()
        if not value:
            return default
        if value not in allowed:
            problems.append(f"{key}: {value!r} is not one of {', '.join(allowed)}")
            return default
        return value

    tags_raw = raw.get("tags", [])
    if isinstance(tags_raw, str):
        tags = tuple(t.strip() for t in tags_raw.split(",") if t.strip())
    elif isinstance(tags_raw, list):
        tags = tuple(str(t).strip() for t in tags_raw if str(t).strip())
    else:
        problems.append(f"tags: expected a list, got {type(tags_raw).__name__}")
        tags = ()

    metadata = Metadata(
        title=text("title"),
        kind=choice("kind", KINDS, ""),
        agency=text("agency"),
        focus_area=text("focus_area"),
        initiative=text("initiative"),
        published=day("published"),
        review_by=day("review_by"),
        status=choice("status", STATUSES, "current"),
        tags=tags,
        summary=text("summary"),
        source_url=text("source_url"),
        extra={k: _plain(v) for k, v in raw.items() if k not in _KNOWN},
    )
    return ParsedMetadata(metadata, tuple(problems))


def _plain(value: Any) -> Any:
    """Make YAML values JSON-safe (dates become ISO strings) so they can be stored."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
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
        "extra": meta.extra,
    }


def metadata_from_json(data: dict[str, Any]) -> Metadata:
    """The inverse of `metadata_to_json`."""
    return Metadata(
        title=data.get("title", ""),
        kind=data.get("kind", ""),
        agency=data.get("agency", ""),
        focus_area=data.get("focus_area", ""),
        initiative=data.get("initiative", ""),
        published=dt.date.fromisoformat(data["published"]) if data.get("published") else None,
        review_by=dt.date.fromisoformat(data["review_by"]) if data.get("review_by") else None,
        status=data.get("status", "current"),
        tags=tuple(data.get("tags", ())),
        summary=data.get("summary", ""),
        source_url=data.get("source_url", ""),
        extra=dict(data.get("extra", {})),
    )
