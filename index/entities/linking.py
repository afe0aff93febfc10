"""One canonical name per entity across the corpus.

Extraction sees one article at a time, so it names an entity by what that article says: "Putin" where
only the surname is written, "Sergey Lavrov" here and "Sergei Lavrov" there. After each update the corpus'
names are linked, per type:

- spellings with one transliteration key (:func:`~newsdesk.index.entities.names.fold_key`) are one entity,
  named by the spelling most articles use ("Sergei Lavrov" and "Sergey Lavrov"; "Aliyev" and "Aliev");
- a person named by one word is the person whose full name ends with that word, when exactly one such
  person is named in full anywhere in the corpus ("Putin" -> "Vladimir Putin");
- an organisation is the one named with a parent's acronym in front of it, when there is exactly one
  ("Minsk Group" -> "OSCE Minsk Group").

The name an article gave keeps working in search: it becomes one of the entity's other forms in that
article. Links are made while a name is unambiguous and kept when a later article adds a namesake.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from newsdesk.index.article import MULTI_VALUE_SEPARATOR
from newsdesk.index.entities.names import fold_key

Names = dict[str, int]
"""Canonical name -> how many articles use it, for one type."""


def _representatives(names: Names) -> dict[str, str]:
    """Each name -> the name of its transliteration group used by the most articles (then the longest)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name in names:
        groups[fold_key(name)].append(name)
    chosen: dict[str, str] = {}
    for members in groups.values():
        best = max(members, key=lambda n: (names[n], len(n), n))
        for name in members:
            chosen[name] = best
    return chosen


def _surname_links(representatives: dict[str, str]) -> dict[str, str]:
    """One-word person names -> the one full name ending in that word (by transliteration key)."""
    full_by_surname: dict[str, set[str]] = defaultdict(set)
    for name in set(representatives.values()):
        if " " in name:
            full_by_surname[fold_key(name.rsplit(" ", 1)[1])].add(name)
    links = {}
    for name, representative in representatives.items():
        if " " not in representative:
            candidates = full_by_surname.get(fold_key(representative), set())
            if len(candidates) == 1:
                links[name] = next(iter(candidates))
    return links


def _parent_acronym_links(representatives: dict[str, str]) -> dict[str, str]:
    """Organisation names -> the one name that is the same with an acronym in front ("OSCE Minsk Group")."""
    prefixed: dict[str, set[str]] = defaultdict(set)
    for name in set(representatives.values()):
        head, _, rest = name.partition(" ")
        if rest and " " in rest and head.isupper() and head.isalpha() and len(head) >= 2:
            prefixed[rest].add(name)
    links = {}
    for name, representative in representatives.items():
        candidates = prefixed.get(representative, set())
        if len(candidates) == 1:
            links[name] = next(iter(candidates))
    return links


def corpus_links(names_by_type: dict[str, Names]) -> dict[tuple[str, str], str]:
    """(type, canonical name) -> the corpus-wide canonical name, for every name that changes."""
    links: dict[tuple[str, str], str] = {}
    for kind, names in names_by_type.items():
        representatives = _representatives(names)
        if kind == "PERSON":
            extra = _surname_links(representatives)
        elif kind == "ORG":
            extra = _parent_acronym_links(representatives)
        else:
            extra = {}
        for name in names:
            target = extra.get(name) or representatives[name]
            target = extra.get(target, target)
            if target != name:
                links[(kind, name)] = target
    return links


def link_corpus(tx: sqlite3.Connection) -> set[str]:
    """Rewrite article_entities in ``tx`` to corpus-wide canonical names; the ids of articles changed."""
    names_by_type: dict[str, Names] = defaultdict(dict)
    for kind, canonical, articles in tx.execute(
        "SELECT type, canonical, count(*) FROM article_entities GROUP BY type, canonical"
    ):
        names_by_type[kind][canonical] = articles
    links = corpus_links(names_by_type)
    changed: set[str] = set()
    for (kind, old), new in links.items():
        rows = tx.execute(
            "SELECT article_id, mentions, aliases FROM article_entities WHERE type = ? AND canonical = ?",
            (kind, old),
        ).fetchall()
        for article_id, mentions, aliases in rows:
            existing = tx.execute(
                "SELECT mentions, aliases FROM article_entities WHERE article_id = ? AND type = ? AND canonical = ?",
                (article_id, kind, new),
            ).fetchone()
            forms = {a for a in aliases.split(MULTI_VALUE_SEPARATOR) if a} | {old}
            if existing is not None:
                mentions += existing[0]
                forms |= {a for a in existing[1].split(MULTI_VALUE_SEPARATOR) if a}
            forms.discard(new)
            tx.execute(
                "DELETE FROM article_entities WHERE article_id = ? AND type = ? AND canonical IN (?, ?)",
                (article_id, kind, old, new),
            )
            tx.execute(
                "INSERT INTO article_entities VALUES (?, ?, ?, ?, ?)",
                (article_id, kind, new, mentions, MULTI_VALUE_SEPARATOR.join(sorted(forms))),
            )
            changed.add(article_id)
    # Every article naming the entity answers to all of its names: person:"Sergey Lavrov" finds the
    # article that wrote "Sergei Lavrov" too.
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (kind, old), new in links.items():
        members[(kind, new)].add(old)
    for (kind, new), names in members.items():
        for article_id, aliases in tx.execute(
            "SELECT article_id, aliases FROM article_entities WHERE type = ? AND canonical = ?", (kind, new)
        ).fetchall():
            forms = {a for a in aliases.split(MULTI_VALUE_SEPARATOR) if a}
            if not names <= forms:
                tx.execute(
                    "UPDATE article_entities SET aliases = ? WHERE article_id = ? AND type = ? AND canonical = ?",
                    (MULTI_VALUE_SEPARATOR.join(sorted(forms | names)), article_id, kind, new),
                )
                changed.add(article_id)
    return changed
