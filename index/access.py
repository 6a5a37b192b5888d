"""Who is asking, and what they may see.

Every way to reach a document (search, its counts and facets, listings, the reader, downloads,
similar documents, the Index status page, the command line) goes through `Hub` with a `Viewer`,
and the Hub turns the viewer into a restriction that both search legs receive like any filter
(`Filters.readers`). Nothing the viewer may not see is ever a candidate, so nothing downstream can
count, show or name it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ingest.audience import visible_groups
from ingest.settings import Access


@dataclass(frozen=True)
class Viewer:
    """A person (or an operator's command) reading the hub."""

    groups: frozenset[str] = frozenset()  # case-folded (ingest.audience.visible_groups)
    editor: bool = False  # editors see every document and the Index status page
    signed_in: bool = False
    name: str = ""  # shown on the page ("Signed in as ...")

    @staticmethod
    def anonymous() -> Viewer:
        """Someone who has not signed in: documents open to everyone only."""
        return Viewer()

    @staticmethod
    def operator() -> Viewer:
        """Everything, for an operator who asked for it explicitly (`--all`) or a local editor."""
        return Viewer(editor=True, name="operator")

    @staticmethod
    def in_groups(groups: Iterable[str], name: str = "") -> Viewer:
        """A signed-in reader in `groups`, with no editing rights."""
        return Viewer(visible_groups(groups), signed_in=True, name=name)

    def sees(self, audience: tuple[str, ...]) -> bool:
        """Whether a document for `audience` (empty: everyone) is open to this viewer."""
        return self.editor or not audience or any(g.casefold() in self.groups for g in audience)

    def readers(self) -> tuple[str, ...] | None:
        """The restriction search legs apply for this viewer (see Filters.readers): None for an
        editor, who sees everything; else the groups whose documents are open to them."""
        return None if self.editor else tuple(sorted(self.groups))


def viewer_of(access: Access, groups: Iterable[str], email: str, name: str) -> Viewer:
    """The viewer a signed-in person with `groups` (from the configured claim) and `email` is:
    an editor when one of their groups is an editor group or their address is an editor's."""
    held = visible_groups(groups)
    editor = bool(held & visible_groups(access.editor_groups)) or (
        bool(email.strip()) and email.strip().casefold() in visible_groups(access.editors)
    )
    return Viewer(held, editor=editor, signed_in=True, name=name or email)
