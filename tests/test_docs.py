"""The documentation keeps up with the code: settings, search settings and exit codes."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.settings import MB, Access, Limits, SearchSettings, Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
EVALUATION = (ROOT / "docs/evaluation.md").read_text(encoding="utf-8")


def table_rows(text: str) -> dict[str, list[str]]:
    """Markdown table rows by their first cell, without backquotes: {"HUB_DATA_DIR": ["data", ...]}."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2:
            rows[cells[0]] = cells[1:]
    return rows


def environment_defaults() -> dict[str, str]:
    """Each HUB_ variable Settings.from_env reads, with its default as people write it."""
    base, limits = Settings(), Limits()
    values: dict[str, object] = {
        "HUB_CORPUS_DIR": base.corpus_dir,
        "HUB_DATA_DIR": base.data_dir,
        "HUB_MODEL": base.model,
        "HUB_RUNTIME": base.runtime,
        "HUB_CHUNK_TOKENS": base.chunk_tokens,
        "HUB_CHUNK_OVERLAP": base.chunk_overlap,
        "HUB_KEEP_BUILDS": base.keep_builds,
        "HUB_MAX_SHRINK": base.max_shrink,
        "HUB_MAX_FILE_MB": limits.max_file_bytes // MB,
        "HUB_MAX_TEXT_CHARS": limits.max_text_chars,
        "HUB_FILE_TIMEOUT": int(limits.timeout_s),
        "HUB_READER_MEMORY_MB": limits.memory_bytes // MB,
        # Lists that are empty by default are written "(none)"; the flag as 0 or 1.
        "HUB_GROUPS": ", ".join(base.access.groups) or "(none)",
        "HUB_GROUPS_CLAIM": base.access.groups_claim,
        "HUB_EDITOR_GROUPS": ", ".join(base.access.editor_groups) or "(none)",
        "HUB_EDITORS": ", ".join(base.access.editors) or "(none)",
        "HUB_LOCAL_EDITOR": int(base.access.local_editor),
        "HUB_ANALYTICS": "on" if base.analytics else "off",
        "HUB_ANALYTICS_DAYS": base.analytics_days,
        "HUB_STORE": base.store or "(none)",
        "HUB_STORE_POOL": base.store_pool,
    }
    return {name: str(value) for name, value in values.items()}


def test_every_setting_is_documented_with_its_default() -> None:
    source = (ROOT / "ingest/settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"(HUB_[A-Z_]+)"', source))
    assert read == set(environment_defaults()), "a setting was added: add it to environment_defaults too"
    rows = table_rows(README)
    for name, default in environment_defaults().items():
        assert name in rows, f"{name} is missing from the README's settings table"
        assert rows[name][0] == default, f"{name}: the README says {rows[name][0]}, the code {default}"


def test_every_settings_field_is_read_from_the_environment() -> None:
    """A new field of Settings or Limits that no HUB_ variable sets would be undocumented."""
    fields = [f.name for f in dataclasses.fields(Settings) if f.name not in ("limits", "search", "access")]
    fields += [f.name for f in dataclasses.fields(Limits)]
    fields += [f.name for f in dataclasses.fields(Access)]
    assert len(fields) == len(environment_defaults())


def test_every_search_setting_is_documented_with_its_default() -> None:
    rows = table_rows(EVALUATION)
    for field in dataclasses.fields(SearchSettings):
        assert field.name in rows, f"search setting {field.name} is missing from docs/evaluation.md"
        assert rows[field.name][0] == str(field.default), f"{field.name}: documented default differs"


def documented_codes(heading: str) -> dict[int, str]:
    """The exit-code table under `heading` in the README."""
    section = README.split(heading, 1)[1].split("\n\n", 2)[1]
    return {int(code): meaning[0] for code, meaning in table_rows(section).items() if code.isdigit()}


def code_constants(module: str) -> set[int]:
    source = (ROOT / module).read_text(encoding="utf-8")
    found = re.search(r"^(EXIT_\w+(?:, EXIT_\w+)*) = (.+)$", source, re.MULTILINE)
    assert found is not None, f"{module} names its exit codes in one line"
    return {int(c) for c in found.group(2).split(",")}


@pytest.mark.parametrize(
    ("module", "heading"),
    [
        ("ingest/__main__.py", "Exit codes of `python -m ingest`:"),
        ("index/__main__.py", "Exit codes of `python -m index`:"),
    ],
)
def test_every_exit_code_is_documented(module: str, heading: str) -> None:
    assert set(documented_codes(heading)) == code_constants(module)


@pytest.mark.parametrize("command", ["ingest", "index"])
def test_a_bad_setting_exits_with_the_documented_code(command: str, tmp_path: Path) -> None:
    bad = [
        code
        for code, meaning in documented_codes(f"Exit codes of `python -m {command}`:").items()
        if "setting" in meaning
    ]
    env = {"PATH": "/usr/bin:/bin", "HUB_DATA_DIR": str(tmp_path), "HUB_CHUNK_TOKENS": "many"}
    args = [sys.executable, "-m", command] + (["info"] if command == "index" else [])
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert [result.returncode] == bad
    assert "HUB_CHUNK_TOKENS" in result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    block = README.split("## Run the tests", 1)[1].split("```bash\n", 1)[1].split("\n```", 1)[0]
    install, _, command = block.partition(" && ")
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    assert command == "python -m pytest --all-tiers"
    assert command in ci, ".ci/run must run exactly the README's test command"
    assert any(line.endswith(install.split(" -r ")[1]) for line in ci if "pip install" in line)
