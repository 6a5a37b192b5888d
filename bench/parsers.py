"""How long the parsers take on hostile inputs, the patterns they replaced against today's.

Run:  python bench/parsers.py

1. Markdown inline clean-up: one long line of each pathological pattern ("[a " repeated, "**a "
   repeated, ...), through the old regexes (copied below as the baseline) at 20 KB, and through
   today's `plain_markdown` at 20 KB and 1 MB. The old ones scan the rest of the line from every
   opening mark, so their time grows with the square of the line.
2. Markdown headings: a heading with a long run of spaces inside. The old regex is worse than
   quadratic there (1 KB takes seconds), so its baseline is 700 characters.
3. Text clean-up (`normalise`) on 1 MB of each run that could make a regex backtrack.
4. Joining body paragraphs: the old `merge_body` (string += per paragraph) against today's on
   the same segments, the old one up to 100,000 paragraphs; then whole files through
   `load_bytes`: a Word file of 300,000 one-letter paragraphs and an HTML page of 100,000, which
   took over four minutes and 41 s before.
5. Metadata YAML: a "billion laughs" block and a self-referencing alias, to a reported problem.

Other processes on the machine slow every figure. Nothing here is a test: it asserts nothing.
"""

from __future__ import annotations

import io
import re
import sys
import time
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.loaders import load_bytes, markdown_heading, merge_body, plain_markdown  # noqa: E402
from ingest.metadata import load_yaml_mapping  # noqa: E402
from ingest.normalise import normalise  # noqa: E402
from ingest.types import Segment  # noqa: E402

# The patterns as they were before they were made linear: the baseline.
OLD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
OLD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"__(?=\S)(.+?)(?<=\S)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
]
OLD_TRAILING_SPACE = re.compile(r"[ ]+\n")

SMALL = 20_000
LARGE = 1_000_000
HEADING_BASELINE = 700


def say(text: str = "") -> None:
    print(text, flush=True)


def seconds(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def repeat(unit: str, size: int) -> str:
    """`unit` repeated to exactly `size` characters."""
    return (unit * (size // len(unit) + 1))[:size]


def old_plain_markdown(line: str) -> str:
    for pattern, replacement in OLD_INLINE:
        line = pattern.sub(replacement, line)
    return line


def old_merge_body(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if (
            merged
            and segment.heading_level is None
            and merged[-1].heading_level is None
            and merged[-1].page == segment.page
        ):
            merged[-1] = Segment(merged[-1].text + "\n\n" + segment.text, page=segment.page)
        else:
            merged.append(segment)
    return merged


def inline_patterns() -> None:
    say(f"1. Markdown inline clean-up, one line (old at {SMALL // 1000} KB | new at {SMALL // 1000} KB, 1 MB)")
    for unit in ("[a ", "![a ", "[a](", "**a ", "__a ", "*a ", "`a ", "["):
        old = seconds(partial(old_plain_markdown, repeat(unit, SMALL)))
        new_small = seconds(partial(plain_markdown, repeat(unit, SMALL)))
        new_large = seconds(partial(plain_markdown, repeat(unit, LARGE)))
        say(f"   {unit!r:8} old {old:8.3f} s | new {new_small:7.4f} s, {new_large:7.3f} s")


def headings() -> None:
    say(f"2. Markdown heading with a run of spaces inside (old at {HEADING_BASELINE} | new at 20 KB, 1 MB)")
    for label, start, run, end in (("spaces", "# a", " ", "x"), ("'#'", "# a ", "#", " x")):
        old = seconds(partial(OLD_HEADING.match, start + run * HEADING_BASELINE + end))
        new_small = seconds(partial(markdown_heading, start + run * SMALL + end))
        new_large = seconds(partial(markdown_heading, start + run * LARGE + end))
        say(f"   {label:8} old {old:8.3f} s | new {new_small:7.4f} s, {new_large:7.3f} s")


def clean_up() -> None:
    say("3. Text clean-up (normalise) on 1 MB")
    inputs = {
        "spaces": repeat(" ", LARGE) + "x",
        "spaces, then a line break every 50": repeat("a" + " " * 49 + "\n", LARGE),
        "'#'": repeat("#", LARGE),
        "dots": repeat(".", LARGE),
        "dot space": repeat(". ", LARGE),
        "hyphens": repeat("-", LARGE),
        "hyphen breaks": repeat("a-\n", LARGE),
        "one word per line": repeat("word\n \n", LARGE),
    }
    for label, text in inputs.items():
        say(f"   {label:36} {seconds(partial(normalise, text)):7.3f} s")
    spaces = repeat(" ", SMALL) + "x"
    old = seconds(partial(OLD_TRAILING_SPACE.sub, "\n", spaces))
    say(f"   trailing-space regex alone, 20 KB of spaces: old {old:.3f} s (shielded by the rule before it)")


def merging() -> None:
    say("4. Joining body paragraphs")
    for count in (30_000, 100_000, 300_000):
        segments = [Segment("a") for _ in range(count)]
        # The old join copies the block once per paragraph: 300,000 would take minutes.
        old = f"{seconds(partial(old_merge_body, segments)):7.3f} s" if count <= 100_000 else "  (skipped)"
        new = seconds(partial(merge_body, segments))
        say(f"   {count:>7,} one-letter paragraphs: old {old} | new {new:7.4f} s")
    word = many_paragraphs_docx(300_000)
    say(
        f"   Word file, 300,000 paragraphs ({len(word) // 1024} KB): "
        f"load_bytes {seconds(lambda: load_bytes('flood.docx', 'word', word)):.2f} s"
    )
    html = ("<html><body>" + "<p>a</p>" * 100_000 + "</body></html>").encode()
    say(
        f"   HTML page, 100,000 paragraphs ({len(html) // 1024} KB): "
        f"load_bytes {seconds(lambda: load_bytes('flood.html', 'html', html)):.2f} s"
    )


def many_paragraphs_docx(count: int) -> bytes:
    """A Word file whose body is `count` one-letter paragraphs."""
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    body = "<w:p><w:r><w:t>a</w:t></w:r></w:p>" * count
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode()
                start = text.index("<w:body>") + len("<w:body>")
                data = (text[:start] + body + text[start:]).encode()
            target.writestr(item.filename, data)
    return result.getvalue()


def metadata() -> None:
    say("5. Metadata YAML")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
    )
    for label, text in (("billion laughs", laughs), ("self-referencing alias", "a: &x [*x]\n")):
        start = time.perf_counter()
        _, problem = load_yaml_mapping(text, "front matter")
        say(f"   {label:24} {time.perf_counter() - start:7.4f} s  {problem}")


def main() -> None:
    inline_patterns()
    headings()
    clean_up()
    merging()
    metadata()


if __name__ == "__main__":
    main()
