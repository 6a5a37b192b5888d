"""Where published builds are kept, which one is live, and the run reports: the data folder by
default, or a PostgreSQL database (index/pg) named by HUB_STORE. The Hub and the command line
go through this seam only, so both stores are served and rolled back the same way."""

from __future__ import annotations

from typing import Protocol

from index.errors import IndexUnavailable
from index.layout import earlier_builds, read_pointer, rollback
from index.reports import SavedReport, latest_report, recent_reports
from index.snapshot import Snapshot, open_build, opens
from ingest.errors import SettingError
from ingest.settings import Settings, without_password


class Catalogue(Protocol):
    """The published builds of one store."""

    where: str  # the store, as messages name it

    def live_id(self) -> str | None:
        """The live build's id; None when nothing was published. Raises IndexCorrupt when the
        pointer cannot be read, IndexUnavailable when the store cannot be reached."""
        ...

    def earlier(self, live_id: str | None) -> list[str]:
        """Builds to serve while `live_id` cannot be read, best first."""
        ...

    def open(self, build_id: str) -> Snapshot:
        """Open a build. Raises IndexCorrupt naming what is wrong, IndexUnavailable."""
        ...

    def rollback(self) -> str:
        """Make the build published before the live one live again; returns its id. Raises
        BuildLocked while a build runs, BuildRejected when there is no earlier build."""
        ...

    def latest_report(self) -> SavedReport | None:
        """The last run's report, or None before the first run."""
        ...

    def recent_reports(self, limit: int) -> list[SavedReport]:
        """The `limit` most recent runs' reports, newest first."""
        ...


class FileCatalogue:
    """Builds in the data folder (index/layout.py)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.where = str(settings.data_dir)

    def live_id(self) -> str | None:
        return read_pointer(self.settings)

    def earlier(self, live_id: str | None) -> list[str]:
        return earlier_builds(self.settings, live_id)

    def open(self, build_id: str) -> Snapshot:
        return open_build(self.settings.builds_dir / build_id)

    def rollback(self) -> str:
        return rollback(self.settings, opens)

    def latest_report(self) -> SavedReport | None:
        return latest_report(self.settings.reports_dir)

    def recent_reports(self, limit: int) -> list[SavedReport]:
        return recent_reports(self.settings.reports_dir, limit)


def catalogue_of(settings: Settings) -> Catalogue:
    """The store `settings` name: the database of HUB_STORE, else the data folder."""
    if settings.store:
        from index.pg.catalogue import PgCatalogue

        return PgCatalogue(settings)
    return FileCatalogue(settings)


def check_store(settings: Settings) -> None:
    """Make sure the store HUB_STORE names can be reached, before a command starts work. Raises
    SettingError naming the setting (the password left out) when it cannot."""
    if not settings.store:
        return
    try:
        catalogue_of(settings).live_id()
    except IndexUnavailable as exc:
        raise SettingError("HUB_STORE", without_password(settings.store), f"cannot be used: {exc}") from None
