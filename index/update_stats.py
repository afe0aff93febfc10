"""What an update reports: its progress while it runs and its figures when it ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)``: phase "reading", "entities", "indexing" or "writing"
(the writer processes finishing their segments; total 0, no count to show)."""


@dataclass(slots=True)
class UpdateStats:
    """What one update did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    unchanged: int = 0
    repairs: list[str] = field(default_factory=list)
    """One line per piece of damaged state that was set aside and rebuilt (or index made by an older newsdesk)."""
    articles: int = 0
    """Articles in the store after the update."""
    seconds: float = 0.0
    rebuilt_index: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def docs_per_second(self) -> float:
        """Added and updated articles per second of the whole update."""
        changed = self.added + self.updated
        return changed / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """The one-line summary printed after ``newsdesk index``."""
        articles = "article" if self.articles == 1 else "articles"
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.skipped} skipped, {self.unchanged} unchanged; {self.articles} {articles} "
            f"in {self.seconds:.1f} s ({self.docs_per_second:.0f} docs/s)"
        )
