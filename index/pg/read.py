"""Opening a build kept in the database: the same `Snapshot` a build folder opens as, with the
database's legs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from index.curated import curation_from_json
from index.errors import IndexCorrupt
from index.filters import Filters
from index.legs import Legs
from index.manifest import Manifest
from index.pg.connect import Database
from index.pg.legs import PgDenseLeg, PgKeyword, PgKeywordLeg, PgVectors
from index.pg.store import PgStore
from index.snapshot import Snapshot, assemble


def open_pg_build(db: Database, build_id: str) -> Snapshot:
    """Build `build_id` from the database, ready to search. Raises IndexCorrupt when it is
    missing, not finished, or its parts disagree; IndexUnavailable when the server cannot be reached."""
    with db.connection() as conn:
        found = conn.execute(
            "SELECT schema_name, state, manifest, curation, centroid, passages, dimension "
            "FROM hub.builds WHERE build_id = %s",
            (build_id,),
        ).fetchone()
    where = Path(f"{db.shown} build {build_id}")
    if found is None:
        raise IndexCorrupt(f"{where}: not in the database")
    schema, state, manifest_json, curation_json, centroid, passages, dimension = found
    if state != "ready":
        raise IndexCorrupt(f"{where}: not completely written")
    manifest = Manifest.from_json(manifest_json, build_id)
    store = PgStore(db, schema)
    vectors = PgVectors(db, schema, int(passages), int(dimension), np.frombuffer(centroid, dtype=np.float32))
    keyword = PgKeyword(db, schema, int(passages))
    build = assemble(build_id, where, manifest, store, vectors, keyword, curation_from_json(curation_json))
    # The keyword leg maps the documents PostgreSQL finds passing a filter to their rows.
    keyword.row_doc, keyword.documents = build.row_doc, len(build.doc_order)
    return replace(build, make_legs=_legs_of, session=db.session)


def _legs_of(build: Snapshot) -> Legs:
    """The two legs of one search of a database build."""
    if not isinstance(build.vectors, PgVectors) or not isinstance(build.keyword, PgKeyword):
        raise TypeError(f"build {build.build_id} is not kept in the database")
    counts, total = build.passage_counts, max(int(build.passage_counts.sum()), 1)

    def share(filters: Filters) -> float:
        return float(counts[build.columns.allowed(filters)].sum()) / total

    return Legs(PgDenseLeg(build.vectors, share), PgKeywordLeg(build.keyword))
