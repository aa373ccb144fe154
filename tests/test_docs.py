"""Documentation keeps up with the code: every setting and command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

from click import Group

from dashboard.cli import main

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_environment_setting_is_documented() -> None:
    used = set()
    for folder in ("layers", "dashboard"):
        for path in (REPO / folder).rglob("*.py"):
            used |= set(re.findall(r"\bPWS_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert used, "found no settings at all: the scan is broken"
    documented = set(re.findall(r"^\| `(PWS_[A-Z_]+)` \|", README, re.MULTILINE))
    assert used <= documented, f"undocumented settings: {sorted(used - documented)}"


def test_every_command_is_documented() -> None:
    def names(group: Group, prefix: str) -> list[str]:
        out = []
        for name, command in group.commands.items():
            if isinstance(command, Group):
                out += names(command, f"{prefix}{name} ")
            else:
                out.append(f"{prefix}{name}")
        return out

    commands = names(main, "pws ")
    assert len(commands) >= 4
    missing = [c for c in commands if f"`{c}" not in README]
    assert not missing, f"commands missing from the README: {missing}"


def test_every_importer_is_documented() -> None:
    from layers.ingest import REGISTRY

    docs = (REPO / "docs" / "imports.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## `([a-z_]+)`", docs, re.MULTILINE))
    assert set(REGISTRY) == documented, f"registered {sorted(REGISTRY)}, documented {documented}"
    for kind, importer in REGISTRY.items():
        assert importer.title.id != importer.title.en, kind


def test_quick_start_is_two_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```")[1]
    lines = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert lines == ["make run", "make test"]
