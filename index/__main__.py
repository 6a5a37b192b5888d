"""`python -m index`: search the live index, show what it holds, or measure search quality.

Exit codes:
  0  success; also when the live build cannot be read and an earlier one answers (a warning
     on stderr says so)
  2  no index, no build that can be read, or the model cannot be loaded
  4  a setting or argument is invalid
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from typing import TYPE_CHECKING

from ingest.__main__ import UsageParser, say
from ingest.errors import HubError, SettingError

if TYPE_CHECKING:
    from index import Hub, SearchResults

EXIT_OK, EXIT_NO_INDEX, EXIT_USAGE = 0, 2, 4


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a number of results; use 1 or more")
    return number


def clean_text(text: str) -> str:
    """`text` as valid Unicode: bytes of the command line that were not UTF-8 (which Python
    keeps as lone surrogates) become U+FFFD, so they can be searched and printed."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that did not come from undecodable bytes
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def _parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="python -m index", description="Search the hub's index.")
    sub = parser.add_subparsers(dest="command", required=True)
    find = sub.add_parser("search", help="search the live index")
    find.add_argument("query", type=clean_text)
    for option in ("--kind", "--agency", "--focus-area", "--status"):
        find.add_argument(option, action="append", default=[], type=clean_text)
    find.add_argument("--from", dest="published_from", type=_date)
    find.add_argument("--to", dest="published_to", type=_date)
    find.add_argument("--limit", type=_positive, default=10, help="how many documents to show (1 or more)")
    find.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
    find.add_argument("--json", action="store_true")
    who = find.add_mutually_exclusive_group()
    who.add_argument(
        "--as",
        dest="groups",
        action="append",
        default=[],
        type=clean_text,
        metavar="GROUP",
        help="search as a signed-in reader in GROUP (repeatable); without it, as someone not signed in",
    )
    who.add_argument("--all", action="store_true", help="search every document, restricted ones included (operators)")
    info = sub.add_parser("info", help="describe the live build")
    info.add_argument("--json", action="store_true")
    sub.add_parser("rollback", help="make the previously published build live again")
    copy = sub.add_parser("copy", help="copy the live build between the data folder and the database (HUB_STORE)")
    copy.add_argument(
        "direction",
        choices=["to-database", "to-files"],
        help="to-database: the data folder's live build becomes the database's; to-files: the reverse",
    )
    from index.eval import add_arguments

    add_arguments(sub.add_parser("eval", help="measure search quality on a BEIR-format collection"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run `python -m index` with `argv` (default: the command line); returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "eval":
        from index.eval import run_command

        return run_command(args)

    from index import Filters, Hub
    from index.access import Viewer
    from index.catalogue import check_store
    from ingest.settings import Settings

    try:
        hub = Hub(Settings.from_env())
        check_store(hub.settings)
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "info":
            return _info(hub, args.json)
        if args.command == "rollback":
            print(f"build {hub.rollback()} is live again")
            return EXIT_OK
        if args.command == "copy":
            return _copy(hub, args.direction)
        filters = Filters(
            kinds=tuple(args.kind),
            agencies=tuple(args.agency),
            focus_areas=tuple(args.focus_area),
            statuses=tuple(args.status),
            published_from=args.published_from,
            published_to=args.published_to,
        )
        viewer = Viewer.operator() if args.all else Viewer.in_groups(args.groups) if args.groups else Viewer.anonymous()
        results = hub.search(args.query, filters, args.limit, args.mode, viewer=viewer)
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_INDEX
    _warn_if_fallback(hub)
    _print_results(results, args.json)
    return EXIT_OK


def _copy(hub: Hub, direction: str) -> int:
    """Copy the live build between the stores; returns the exit code. Raises HubError."""
    if not hub.settings.store:
        say("error: set HUB_STORE to the database to copy to or from", file=sys.stderr)
        return EXIT_USAGE
    if direction == "to-database":
        from index.pg.publish import publish_to_database
        from index.reports import RunReport

        build_id = publish_to_database(hub.settings, hub.embedder, RunReport(started=""))
        say(f"build {build_id} is live in {hub.catalogue.where}")
    else:
        from index.pg.migrate import copy_to_files

        build_id = copy_to_files(hub.settings, hub.embedder)
        say(f"build {build_id} is live in {hub.settings.data_dir}")
    return EXIT_OK


def _warn_if_fallback(hub: Hub) -> None:
    """Tell the operator, on stderr, when an earlier build answered in place of the live one."""
    reason = hub.fallback_reason
    if reason:
        say(f"warning: {reason}", file=sys.stderr)


def _print_results(results: SearchResults, as_json: bool) -> None:
    if as_json:
        judged = results.confidence.to_json() if results.confidence else {"confidence": None, "signals": None}
        print(
            json.dumps(
                {
                    "query": results.query,
                    "matched_documents": results.matched_documents,
                    **judged,
                    "no_good_match": results.no_good_match,
                    "also_searched": list(results.also_searched),
                    "hits": [h.to_json() for h in results.hits],
                },
                indent=2,
            )
        )
        return
    if not results.hits:
        print("no results")
    elif results.no_good_match:
        say(f"no good match: nothing clearly answers {results.query!r}; the closest documents may not answer it:")
    elif results.confidence is not None:
        say(f"{results.matched_documents} documents match (confidence {results.confidence.score:.2f})")
    if results.also_searched:
        say(f"also searched for: {', '.join(results.also_searched)}")
    for n, hit in enumerate(results.hits, start=1):
        meta = hit.record.metadata
        best = hit.passages[0]
        where = f"page {best.page}" if best.page else " > ".join(best.heading_path)
        closest = "" if hit.confident else "  (closest, may not answer)"
        closest = "  (Recommended)" if hit.recommended else closest
        say(f"{n}. {meta.title}  [{meta.kind or 'unspecified'}]  {hit.doc_id}  ({where}){closest}")
        say("   " + " ".join("".join(f"**{t}**" if marked else t for t, marked in best.snippet).split()))
        if hit.copies:
            say(f"   same text also filed as: {', '.join(hit.copies)}")


def _info(hub: Hub, as_json: bool) -> int:
    """Print the served build's description; returns the exit code. Raises IndexNotReady or IndexCorrupt."""
    from index import IndexNotReady
    from index.access import Viewer

    # An operator's command on the server: it describes the whole build, as the files do.
    status = hub.status(runs=0, viewer=Viewer.operator())
    served = status.served
    if served is None:
        raise IndexNotReady(f"no index has been built yet in {hub.settings.data_dir}")
    kinds = Counter(r.metadata.kind or "unspecified" for r in hub.documents(viewer=Viewer.operator()))
    data = {
        "build": served.build_id,
        "created": served.created,
        "model": served.model,
        "documents": served.documents,
        "chunks": served.passages,
        "by_kind": dict(sorted(kinds.items())),
        "failures": {doc_id: {"reason": f.reason, "hint": f.hint} for doc_id, f in served.failures.items()},
        "fallback": status.fallback,
    }
    _warn_if_fallback(hub)
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            if key != "fallback" or value:
                say(f"{key}: {value}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
