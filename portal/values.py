"""Values editors write in metadata, and fields read from run reports, as text.

Anything may be there (a number, a list, a mapping, nothing): these turn it into text or leave it
out, never trust it."""

from __future__ import annotations

from typing import Any


def as_text(value: Any) -> str:
    """A single value as stripped text; anything that is not a string or number gives ""."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    return ""


def as_texts(value: Any) -> tuple[str, ...]:
    """Editors write one value or a list; both become a tuple of non-empty strings."""
    items = value if isinstance(value, list) else [value]
    return tuple(t for v in items if (t := as_text(v)))
