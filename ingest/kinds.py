"""The metadata particular to a kind of document: an AI tool's clearance and approval, a case
study's story, an initiative's goal.

Editors write these fields beside the common ones (docs/metadata.md). For a document of one of
these kinds they are read into a typed record, each invalid value reported as a metadata problem
naming the field and the value and left empty, never silently dropped; for any other kind the
same keys stay in the document's `extra` mapping as written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from ingest.fields import Fields

# Lowest first, as listed in docs/metadata.md: a tool cleared for a level is cleared for every lower one.
CLASSIFICATIONS: tuple[str, ...] = ("UNCLASSIFIED", "IN-CONFIDENCE", "SENSITIVE", "RESTRICTED")
APPROVAL_STATUSES: tuple[str, ...] = ("approved", "approved with conditions", "under assessment", "not approved")


@dataclass(frozen=True)
class ToolDetails:
    """An AI tool in the marketplace. Empty values mean 'not given' (or given and invalid)."""

    provider: str = ""
    capability: str = ""
    max_classification: str = ""  # one of CLASSIFICATIONS, or ""
    approval_status: str = ""  # one of APPROVAL_STATUSES, or ""
    conditions: tuple[str, ...] = ()
    used_by: tuple[str, ...] = ()  # agencies
    related: tuple[str, ...] = ()  # document ids


@dataclass(frozen=True)
class CaseStudyDetails:
    """A case study: what the problem was, what was done, how it went, with what tools."""

    problem: str = ""
    approach: str = ""
    outcome: str = ""
    tools_used: tuple[str, ...] = ()  # ids of tool documents
    related: tuple[str, ...] = ()  # document ids


@dataclass(frozen=True)
class InitiativeDetails:
    """An initiative of the work programme (its code is the common `initiative` field)."""

    goal: str = ""
    deliverable: str = ""
    related: tuple[str, ...] = ()  # document ids


Details = ToolDetails | CaseStudyDetails | InitiativeDetails
D = TypeVar("D", ToolDetails, CaseStudyDetails, InitiativeDetails)

DETAILS_BY_KIND: dict[str, type[Details]] = {
    "tool": ToolDetails,
    "case-study": CaseStudyDetails,
    "initiative": InitiativeDetails,
}


def _tool(read: Fields) -> ToolDetails:
    return ToolDetails(
        provider=read.text("provider"),
        capability=read.text("capability"),
        max_classification=read.choice("max_classification", CLASSIFICATIONS, ""),
        approval_status=read.choice("approval_status", APPROVAL_STATUSES, ""),
        conditions=read.texts("conditions"),
        used_by=read.texts("used_by"),
        related=read.texts("related"),
    )


def _case_study(read: Fields) -> CaseStudyDetails:
    return CaseStudyDetails(
        problem=read.text("problem"),
        approach=read.text("approach"),
        outcome=read.text("outcome"),
        tools_used=read.texts("tools_used"),
        related=read.texts("related"),
    )


def _initiative(read: Fields) -> InitiativeDetails:
    return InitiativeDetails(
        goal=read.text("goal"),
        deliverable=read.text("deliverable"),
        related=read.texts("related"),
    )


_PARSERS: dict[str, Callable[[Fields], Details]] = {"tool": _tool, "case-study": _case_study, "initiative": _initiative}


def take_details(kind: str, values: Mapping[str, Any]) -> tuple[Details | None, dict[str, Any], list[str]]:
    """(the details of a document of `kind` read from `values`, the rest of `values`, problems).

    Details are None, and `values` all kept, for a kind without details. Never raises."""
    parse = _PARSERS.get(kind)
    if parse is None:
        return None, dict(values), []
    names = {f.name for f in fields(DETAILS_BY_KIND[kind])}
    read = Fields({k: v for k, v in values.items() if k in names})
    details = parse(read)
    return details, {k: v for k, v in values.items() if k not in names}, read.problems


def details_to_json(details: Details | None) -> dict[str, str | list[str]] | None:
    """A JSON-safe mapping of `details` (None stays None)."""
    if details is None:
        return None
    return {f.name: _json_value(getattr(details, f.name)) for f in fields(details)}


def _json_value(value: str | tuple[str, ...]) -> str | list[str]:
    return list(value) if isinstance(value, tuple) else value


def details_from_json(kind: str, data: Any) -> Details | None:
    """The inverse of `details_to_json` for a document of `kind`; what cannot be read is empty."""
    if not isinstance(data, dict):
        return None
    return take_details(kind, data)[0]


def details_as(details: Details | None, cls: type[D]) -> D:
    """`details` when they are a `cls`, else an empty `cls`."""
    return details if isinstance(details, cls) else cls()
