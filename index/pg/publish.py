"""Publishing the data folder's live build into the database, and copying the database's live
build back into the data folder.

A build run makes its build in the data folder as always; with HUB_STORE set it then copies the
folder's live build into the database under the same id, opens it there as an app process
would, searches it for a known passage, makes it live in one transaction and prunes the oldest.
A run killed at any point leaves the database's live build as it was; the next run finds the
database behind the folder and publishes."""

from __future__ import annotations

from index.errors import BuildRejected, IndexCorrupt
from index.layout import read_pointer
from index.pg.catalogue import PgCatalogue
from index.pg.write import write_build
from index.reports import RunReport
from index.snapshot import open_build
from index.validate import sample_of, validate_opened
from ingest.embed import Embedder
from ingest.progress import Progress
from ingest.settings import Settings


def publish_to_database(
    settings: Settings, embedder: Embedder, report: RunReport, progress: Progress | None = None
) -> str:
    """Make the data folder's live build the database's live build; returns its id. Does nothing
    when it already is. Raises BuildLocked, BuildRejected, IndexUnavailable or IndexCorrupt; the
    database's live build is unchanged on any of them."""
    catalogue = PgCatalogue(settings)
    catalogue.setup()
    with catalogue.lock():
        catalogue.remove_leftovers()
        build_id = read_pointer(settings)
        if build_id is None:
            raise BuildRejected(f"there is no build in {settings.data_dir} to publish into {catalogue.where}")
        if catalogue.live_id() == build_id:
            return build_id
        local = open_build(settings.builds_dir / build_id)
        try:
            if build_id not in catalogue.ready():
                write_build(catalogue.db, local, progress)
            sample = sample_of(local)
            try:
                copied = catalogue.open(build_id)
            except IndexCorrupt as exc:
                raise BuildRejected(f"the build copied into {catalogue.where} could not be opened: {exc}") from None
            validate_opened(copied, embedder, settings.search, local.manifest, sample)
        finally:
            local.close()
        catalogue.publish(build_id)
        catalogue.prune(build_id, settings.keep_builds)
    report.notices.append(f"build {build_id} is live in {catalogue.where}")
    return build_id
