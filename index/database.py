"""The database step of a build run when HUB_STORE names one: publishing the data folder's live
build into it (index/pg/publish.py) and keeping the run's report there."""

from __future__ import annotations

import time

from index.reports import RunReport
from ingest.embed import Embedder
from ingest.errors import HubError
from ingest.progress import Progress
from ingest.settings import Settings


def into_database(settings: Settings, embedder: Embedder, report: RunReport, progress: Progress | None) -> None:
    """Publish the data folder's live build into the database of HUB_STORE (index/pg). A run
    that found nothing to change still publishes a build the database does not yet serve (an
    earlier run was stopped before it could). Does nothing without HUB_STORE, or after a run
    that published nothing. Raises what `publish_to_database` raises."""
    if not settings.store or report.outcome not in ("published", "unchanged"):
        return
    from index.pg.publish import publish_to_database

    notices, tick = len(report.notices), time.perf_counter()
    try:
        build_id = publish_to_database(settings, embedder, report, progress)
    finally:
        report.timings["database"] = time.perf_counter() - tick
    if report.outcome == "unchanged" and len(report.notices) > notices:
        report.outcome, report.message = "published", f"build {build_id} is live (it was not yet in the database)"


def report_to_database(settings: Settings, report: RunReport) -> None:
    """Keep the report in the database too, for every app process's Index status page (nothing
    without HUB_STORE)."""
    if not settings.store:
        return
    from index.pg.catalogue import PgCatalogue

    try:
        PgCatalogue(settings).save_report(report)
    except HubError as exc:
        report.message += f" (the run report could not be saved in the database: {exc})"
