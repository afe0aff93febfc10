"""Search results folded into stories: a group of reprints is shown once, at its best-ranked member.

The groups are made at index time (:mod:`newsdesk.index.reprints`). Here they
meet one query: the hits are walked in rank order, and a hit whose group was
already shown is folded into that earlier hit's ``copies`` instead of taking a
place of its own. ``copies`` lists every OTHER member of the group that matches
the query (ranked on this page or not), so paging never shows a story twice:
page N holds the stories ranked (N-1)*limit+1 to N*limit. Totals stay article
counts; ``stories`` counts the distinct groups among all matches.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from newsdesk.index.reprints import grouped_articles


@dataclass(slots=True)
class StoryIndex:
    """The groups of one opened index: who leads whom, and (looked up when first needed) their documents."""

    document_number: Callable[[str], int | None]
    """The opened index's document number for an article id (None: not in it)."""
    leader_of: dict[str, str] = field(default_factory=dict)
    """Article id -> its group's leader, for articles in a group of two or more."""
    members: dict[str, list[str]] = field(default_factory=dict)
    """Leader -> ids of every member, earliest first."""
    _documents: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, db: object, document_number: Callable[[str], int | None]) -> StoryIndex:
        """Read the groups from the store (``db``, a connection) for an index opened with ``document_number``."""
        stories = cls(document_number)
        for article_id, leader in grouped_articles(db).items():  # type: ignore[arg-type]
            stories.leader_of[article_id] = leader
            stories.members.setdefault(leader, []).append(article_id)
        return stories

    def _members_in_index(self, leader: str) -> list[tuple[int, str]]:
        """(document number, id) of a group's members in this index, looked up once per group.

        A lookup costs about 0.1 ms, so a page of hits looks up only its own groups, and
        only counting stories (:meth:`count`) looks up every grouped article.
        """
        found = self._documents.get(leader)
        if found is None:
            numbered = ((self.document_number(i), i) for i in self.members[leader])
            found = self._documents[leader] = [(d, i) for d, i in numbered if d is not None]
        return found

    def copies(self, article_id: str, matched: Collection[int]) -> tuple[str, ...]:
        """The other members of ``article_id``'s group among the ``matched`` documents."""
        leader = self.leader_of.get(article_id)
        if leader is None:
            return ()
        return tuple(
            other for docnum, other in self._members_in_index(leader) if other != article_id and docnum in matched
        )

    def count(self, matched: Collection[int]) -> int:
        """How many distinct stories the ``matched`` documents hold."""
        folded = 0
        for leader in self.members:
            present = sum(1 for docnum, _ in self._members_in_index(leader) if docnum in matched)
            folded += max(0, present - 1)
        return len(matched) - folded

    def fold(
        self, rank: Callable[[int], list[tuple[str, float]]], wanted: int, matched: Collection[int]
    ) -> tuple[list[tuple[str, float]], dict[str, tuple[str, ...]]]:
        """The best ``wanted`` stories as (id, score) of their best-ranked member, and each one's copies.

        ``rank(count)`` gives the best ``count`` matches; asked again for more when
        folding left fewer than ``wanted`` stories.
        """
        count = wanted
        while True:
            ranked = rank(count)
            shown: list[tuple[str, float]] = []
            copies: dict[str, tuple[str, ...]] = {}
            seen: set[str] = set()
            for article_id, score in ranked:
                leader = self.leader_of.get(article_id)
                if leader is not None:
                    if leader in seen:
                        continue
                    seen.add(leader)
                    copies[article_id] = self.copies(article_id, matched)
                shown.append((article_id, score))
            if len(shown) >= wanted or len(ranked) < count or count >= len(matched):
                return shown[:wanted], copies
            count = min(len(matched), count * 2)
