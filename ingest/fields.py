"""Reading typed values out of the metadata an editor wrote: text, dates, one of a fixed set,
lists of texts and tags. A value of the wrong type or form is noted as a problem naming the field and
the value, and read as empty; nothing here raises."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A date, then a time after "T" or spaces, then an optional time zone: what YAML itself reads as a
# date and time, less the one-digit months, days and hours it also allows.
_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[Tt]| +)(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) *(?:Z|[+-]\d{2}(?::?\d{2})?)?"
)


class Fields:
    """The fields of one metadata mapping, read by key; `problems` lists every bad value met."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.problems: list[str] = []

    def text(self, key: str) -> str:
        """The text of `key` ('' when missing): text or a number, stripped."""
        value = self.raw.get(key)
        if value is None:
            return ""
        if _is_text(value):
            return str(value).strip()
        self.problems.append(f"{key}: expected text, got {type(value).__name__}")
        return ""

    def day(self, key: str) -> dt.date | None:
        """The date of `key` (see `parse_date`), None when missing or not a date."""
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.problems.append(f"{key}: {describe(value)} is not a date (use YYYY-MM-DD)")
        return parsed

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        """The value of `key` spelled as in `allowed` (whatever its letter case), else `default`."""
        value = self.text(key)
        if not value:
            return default
        spelled = {a.casefold(): a for a in allowed}.get(value.casefold())
        if spelled is None:
            self.problems.append(f"{key}: {value!r} is not one of {', '.join(allowed)}")
            return default
        return spelled

    def texts(self, key: str) -> tuple[str, ...]:
        """The texts of `key`: one text or a list of them, stripped, empty ones left out. A value
        or item that is not text is a problem and left out."""
        value = self.raw.get(key)
        if value is not None and not isinstance(value, list) and not _is_text(value):
            self.problems.append(f"{key}: expected text or a list of texts, got {type(value).__name__}")
            return ()
        out: list[str] = []
        for number, item in enumerate(value if isinstance(value, list) else [value], start=1):
            if _is_text(item):
                if str(item).strip():
                    out.append(str(item).strip())
            elif item is not None:
                self.problems.append(f"{key}: item {number} is {describe(item)}, not text; left out")
        return tuple(out)

    def tags(self, key: str) -> tuple[str, ...]:
        """The non-empty items of `key`: a list, or one text of items separated by commas."""
        value = self.raw.get(key, [])
        if isinstance(value, str):
            return tuple(t.strip() for t in value.split(",") if t.strip())
        if isinstance(value, list):
            return tuple(str(t).strip() for t in value if str(t).strip())
        self.problems.append(f"{key}: expected a list, got {type(value).__name__}")
        return ()


def _is_text(value: Any) -> bool:
    """Whether `value` is read as text: a string or a number (not true or false)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def parse_date(value: Any) -> dt.date | None:
    """The date in `value`: a date, or text in the form YYYY-MM-DD or an ISO date and time
    (2025-03-01T10:00:00 or 2025-03-01 10:00:00), whose date part is kept.

    Returns None when `value` is not such a date, including impossible ones like 2025-02-30."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        if _DATE.fullmatch(value):
            return dt.date.fromisoformat(value)
        match = _DATETIME.fullmatch(value)
        if match:
            dt.time.fromisoformat(match.group(2))
            return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None
    return None


def describe(value: Any) -> str:
    """`value` as written in a problem message, cut short so a long value stays readable."""
    if isinstance(value, (list, dict)):
        return f"a {type(value).__name__}"
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "…"
