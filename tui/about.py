"""What ``newsdesk --version`` prints, and the "did you mean" for a misspelt command.

Kept out of :mod:`newsdesk.tui.cli` so the top-level parser stays a thin dispatch.
"""

from __future__ import annotations

import difflib
import platform
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

import newsdesk

# Distribution names as pip knows them (Whoosh is installed as the whoosh3 fork).
_DEPENDENCIES = {"whoosh": "whoosh3", "textual": "textual", "rich": "rich"}


def _installed(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def version_report() -> dict[str, str | None]:
    """Versions of newsdesk, its main libraries, Python and the platform (for bug reports)."""
    report: dict[str, str | None] = {"newsdesk": newsdesk.__version__}
    report.update({name: _installed(dist) for name, dist in _DEPENDENCIES.items()})
    report["python"] = platform.python_version()
    report["python_implementation"] = platform.python_implementation()
    report["platform"] = platform.platform()
    return report


def closest_command(word: str, commands: Sequence[str]) -> str | None:
    """The command ``word`` was probably meant to be, if one is close enough."""
    found = difflib.get_close_matches(word.lower(), commands, n=1, cutoff=0.6)
    return found[0] if found else None
