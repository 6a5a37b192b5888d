"""Who a document is for: the `audience:` field of its metadata.

A document without an audience is open to everyone. One with an audience is shown only to
signed-in people in one of its groups, and to editors. Reading the field fails closed: a value
that cannot be read, or a list naming no group, keeps the document for editors only until an
editor fixes it, rather than opening a document its writer meant to restrict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ingest.fields import describe

KEY = "audience"
# Written by an editor to say "open to everyone" explicitly; the same as leaving the field out.
EVERYONE = "everyone"
# The audience of a document whose `audience:` could not be read. No one's groups can hold it:
# `visible_groups` drops it from every reader's groups, and group names never start with "\0".
EDITORS_ONLY = "\0editors-only"


def read_audience(raw: Mapping[str, Any], problems: list[str]) -> tuple[str, ...]:
    """The groups a document is for (empty: everyone), from the `audience` key of its metadata.

    A group, groups separated by commas, or a list of groups is read as written, without
    duplicates in any letter case ("everyone" alone means everyone). Anything else adds a
    problem naming the value to `problems` and gives (EDITORS_ONLY,), as does a list holding no
    group or mixing "everyone" with groups."""
    if KEY not in raw or raw[KEY] is None:
        return ()
    value = raw[KEY]
    items = value if isinstance(value, list) else value.split(",") if isinstance(value, str) else [value]
    groups: list[str] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            problems.append(f"{KEY}: item {number} is {describe(item)}, not a group name; {_CLOSED}")
            return (EDITORS_ONLY,)
        name = str(item).strip()
        if name and name.casefold() not in (g.casefold() for g in groups):
            groups.append(name)
    if not groups:
        problems.append(f"{KEY}: names no group (leave it out, or write '{EVERYONE}', to open it to all); {_CLOSED}")
        return (EDITORS_ONLY,)
    if any(g.casefold() == EVERYONE for g in groups):
        if len(groups) == 1:
            return ()
        problems.append(f"{KEY}: '{EVERYONE}' cannot be combined with groups ({', '.join(groups)}); {_CLOSED}")
        return (EDITORS_ONLY,)
    return tuple(groups)


_CLOSED = "only editors will see the document until this is fixed"


def visible_groups(groups: Iterable[str]) -> frozenset[str]:
    """A reader's groups as audiences are matched against them: stripped and case-folded, with
    empty names and the editors-only marker left out."""
    return frozenset(g.strip().casefold() for g in groups if g.strip() and g != EDITORS_ONLY)


def unknown_groups(audience: tuple[str, ...], known: tuple[str, ...]) -> tuple[str, ...]:
    """The groups of `audience` not among `known` (none when no groups are configured)."""
    if not known:
        return ()
    held = visible_groups(known)
    return tuple(g for g in audience if g != EDITORS_ONLY and g.casefold() not in held)
