"""The documentation keeps up with the code."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_every_setting_is_documented_in_the_readme() -> None:
    source = (ROOT / "ingest/settings.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    settings = set(re.findall(r'"(HUB_[A-Z_]+)"', source))
    assert settings, "no settings found"
    missing = sorted(s for s in settings if f"`{s}`" not in readme)
    assert not missing, f"settings missing from README: {missing}"


def test_every_ingest_exit_code_is_documented() -> None:
    source = (ROOT / "ingest/__main__.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    codes = re.search(r"EXIT_OK, .* = (.*)", source)
    assert codes is not None
    for code in codes.group(1).split(", "):
        assert f"| {code} |" in readme
