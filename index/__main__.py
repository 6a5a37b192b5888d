"""`python -m index`: search the live index, show what it holds, or measure search quality.

Exit codes: 0 success; 2 no index, or it cannot be read; 4 a setting or argument is invalid.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter

from ingest.errors import HubError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Search the hub's index.")
    sub = parser.add_subparsers(dest="command", required=True)
    find = sub.add_parser("search", help="search the live index")
    find.add_argument("query")
    find.add_argument("--kind", action="append", default=[])
    find.add_argument("--agency", action="append", default=[])
    find.add_argument("--focus-area", action="append", default=[])
    find.add_argument("--status", action="append", default=[])
    find.add_argument("--from", dest="published_from", type=_date)
    find.add_argument("--to", dest="published_to", type=_date)
    find.add_argument("--limit", type=int, default=10)
    find.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
    find.add_argument("--json", action="store_true")
    info = sub.add_parser("info", help="describe the live build")
    info.add_argument("--json", action="store_true")
    sub.add_parser("rollback", help="make the previously published build live again")
    from index.eval import add_arguments, run_command

    add_arguments(sub.add_parser("eval", help="measure search quality on a BEIR-format collection"))
    args = parser.parse_args(argv)
    if args.command == "eval":
        return run_command(args)

    from index.api import Hub
    from index.search import Filters
    from ingest.settings import Settings

    try:
        hub = Hub(Settings.from_env())
        if args.command == "info":
            return _info(hub, args.json)
        if args.command == "rollback":
            from index.build import rollback

            print(f"build {rollback(hub.settings)} is live again")
            return 0
        filters = Filters(
            kinds=tuple(args.kind),
            agencies=tuple(args.agency),
            focus_areas=tuple(args.focus_area),
            statuses=tuple(args.status),
            published_from=args.published_from,
            published_to=args.published_to,
        )
        results = hub.search(args.query, filters, args.limit, args.mode)
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "query": results.query,
                    "matched_documents": results.matched_documents,
                    "hits": [h.to_json() for h in results.hits],
                },
                indent=2,
            )
        )
        return 0
    if not results.hits:
        print("no results")
    for n, hit in enumerate(results.hits, start=1):
        meta = hit.record.metadata
        best = hit.passages[0]
        where = f"page {best.page}" if best.page else " > ".join(best.heading_path)
        print(f"{n}. {meta.title}  [{meta.kind or 'unspecified'}]  {hit.doc_id}  ({where})")
        print("   " + "".join(f"**{t}**" if marked else t for t, marked in best.snippet))
        if hit.copies:
            print(f"   same text also filed as: {', '.join(hit.copies)}")
    return 0


def _info(hub: object, as_json: bool) -> int:
    from index.api import Hub

    assert isinstance(hub, Hub)
    build = hub.build()
    kinds = Counter(r.metadata.kind or "unspecified" for r in build.documents.values())
    data = {
        "build": build.build_id,
        "created": build.manifest.get("created"),
        "model": build.manifest.get("model"),
        "documents": len(build.documents),
        "chunks": build.vectors.size,
        "by_kind": dict(sorted(kinds.items())),
        "failures": build.manifest.get("failures", {}),
    }
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
