"""pyproject.toml asks for ranges; constraints.txt pins every package exactly, inside those ranges; CI uses it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PINNED_FOR_INTERNALS = {"whoosh3", "textual-serve"}
"""Exact in pyproject.toml too: newsdesk patches or subclasses their internals."""


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return [Requirement(line) for line in lines]


def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, separator, version = line.partition("==")
            assert separator and version.strip(), f"constraints.txt: {line!r} is not name==version"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_pyproject_asks_for_ranges_except_where_we_rely_on_internals() -> None:
    for requirement in requirements():
        operators = {spec.operator for spec in requirement.specifier}
        if canonicalize_name(requirement.name) in PINNED_FOR_INTERNALS:
            assert operators == {"=="}, requirement
        else:
            assert operators == {">=", "<"}, f"{requirement}: a range >=tested,<next-major"


def test_every_requirement_is_pinned_in_constraints_within_its_range() -> None:
    pins = constraints()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} missing from constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (requirement, pins[name])


def test_ci_installs_with_the_constraints() -> None:
    assert "pip install -c constraints.txt -e '.[test]'" in (ROOT / ".ci/run").read_text(encoding="utf-8")
