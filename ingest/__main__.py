"""`python -m ingest`: bring the index up to date with the corpus folder.

This is the composition root of the pipeline: the one place in ingest/ that calls index/,
because the command both reads the corpus and publishes the result.

Exit codes:
  0  published, or already up to date, and every file was indexed
  1  published (or up to date), but some files failed; see the report
  2  nothing published: the build failed or was rejected (the live index is unchanged)
  3  another build is already running
  4  a setting or argument is invalid
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from ingest.errors import HubError

if TYPE_CHECKING:
    from index.reports import RunReport

EXIT_OK, EXIT_PARTIAL, EXIT_NOT_PUBLISHED, EXIT_LOCKED, EXIT_USAGE = 0, 1, 2, 3, 4


class UsageParser(argparse.ArgumentParser):
    """An ArgumentParser whose argument errors exit with the hub's code for them, 4, rather
    than argparse's 2, which here means that nothing was published. `--help` still exits 0."""

    def error(self, message: str) -> NoReturn:
        """Print the usage and `message` to stderr, then exit 4."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def say(text: str, file: TextIO | None = None) -> None:
    """Print `text` line by line with control characters replaced: file names and reasons come
    from the corpus, and an escape sequence in one must not drive the terminal or forge a line
    in the nightly log."""
    from ingest.scan import printable

    for line in text.split("\n"):
        print(printable(line), file=file or sys.stdout)


def main(argv: list[str] | None = None) -> int:
    """Run `python -m ingest` with `argv` (default: the command line); returns the exit code."""
    args = _parser().parse_args(argv)

    from index.build import update_index
    from index.catalogue import check_store
    from index.errors import BuildLocked
    from ingest.embed import load_embedder
    from ingest.progress import ProgressBar
    from ingest.settings import Settings

    try:
        settings = Settings.from_env()
        check_store(settings)
        embedder = load_embedder(settings.model, settings.runtime, settings.data_dir / "models")
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    bar = None if args.quiet or args.json or args.nightly else ProgressBar()
    try:
        report = update_index(
            settings,
            embedder,
            full=args.full,
            dry_run=args.dry_run,
            allow_shrink=args.allow_shrink,
            progress=bar,
        )
    except BuildLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOT_PUBLISHED
    finally:
        if bar:
            bar.close()
    _print_report(report, args, settings.reports_dir / "latest.json")
    if report.outcome in ("rejected", "failed"):
        return EXIT_NOT_PUBLISHED
    return EXIT_PARTIAL if report.failed else EXIT_OK


def _parser() -> UsageParser:
    """The command's arguments."""
    parser = UsageParser(prog="python -m ingest", description="Update the hub's index from corpus/.")
    parser.add_argument("--full", action="store_true", help="rebuild everything, ignoring the live index")
    parser.add_argument("--dry-run", action="store_true", help="list what would change and stop")
    parser.add_argument("--allow-shrink", action="store_true", help="publish even if many documents disappeared")
    parser.add_argument("--json", action="store_true", help="print the run report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--nightly",
        action="store_true",
        help="for the scheduler: no progress bar, a timestamped summary and the report's path",
    )
    return parser


def _print_report(report: RunReport, args: argparse.Namespace, saved: Path) -> None:
    """Print the files that failed to stderr, then the report in the form `args` ask for;
    `saved` is where the report was written."""
    for failure in report.failed:
        say(f"failed: {failure.file}: {failure.reason}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    elif args.dry_run:
        for label, items in (("add", report.added), ("update", report.updated), ("remove", report.removed)):
            for item in items:
                say(f"would {label}: {item}")
        say(report.summary())
    elif args.nightly:
        for line in report.summary().splitlines():
            say(f"{report.finished} {line}")
        print(f"{report.finished} report: {saved}")
    else:
        say(report.summary())


if __name__ == "__main__":
    sys.exit(main())
