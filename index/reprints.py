"""Reprints grouped at index time: the same story with small edits is one group.

Every article's text is cut into shingles (runs of :data:`SHINGLE_WORDS`
words, lower-cased), each hashed to 64 bits. Speed matters here (it runs for
every article indexed): each word is hashed with CRC-32 and each run with
Python's hash of a tuple of ints, both in C with no Python step per shingle,
about ten times faster than a cryptographic hash per shingle. A tuple of ints
hashes the same in every process, but Python may change how between versions,
so :data:`SKETCH_VERSION` is kept in the store and a change re-sketches all. Two articles are *reprints* of each other
when

* they share at least one LSH band (below), and
* their resemblance, the shingles they share over the shingles of the LARGER
  set, is at least :data:`RESEMBLANCE` (0.6).

Dividing by the larger set (not the smaller, as ``newsdesk similar`` does) means
a short excerpt of a long article is not its reprint, and, with a threshold
above one half, that any two reprints of one article share shingles with each
other: they both hold more than half of its shingles.

Each article's *group* is named by its leader: the earliest indexed article
(first-indexed number, then id) among itself and its reprints. Every member of
a group is therefore a reprint of one article, so a chain of edits (A edited
into B edited into C) never joins two different stories, and an article never
lands in a group with one it shares no text with. The leader depends only on
the article and its reprints, which is what lets one update re-examine only the
articles it can touch (see :func:`sync_reprints`).

Candidates are found by locality-sensitive hashing: one-permutation MinHash
(:data:`BINS` bins of one hash each, the smallest hash per bin) cut into bands of
:data:`BAND_ROWS` bins (8 bands); two articles whose shingle sets are 75 % alike
(Jaccard) share a band with probability 0.998, 60 % alike 0.97, two unrelated
ones (2 %) 0.3 %, and those are then told apart by the exact comparison. An extra
band holds the hash of the whole set, so short identical texts (too short to
fill the bins) still meet. Everything lives in the article store, next to the
articles, so an update changes groups in the same place it changes articles.
"""

from __future__ import annotations

import heapq
import json
import re
import sqlite3
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

SHINGLE_WORDS = 4
RESEMBLANCE = 0.6
"""Shared shingles over the larger article's shingles from which two articles are reprints."""
BINS = 16
BAND_ROWS = 2
WHOLE_BAND = BINS // BAND_ROWS
"""Number of the extra band: the hash of the whole shingle set."""
_PAGE = 32
_BATCH = 300
"""Articles sketched per write transaction: other sessions' writes wait at most one batch."""
_WORD = re.compile(r"\w+")
_BIN_BITS = 64 - (BINS.bit_length() - 1)
"""A shingle hash's bin is its top bits (4 of them for 16 bins)."""
_OFFSET = 1 << 63
"""Added to a (signed 64-bit) shingle hash before taking its top bits."""
SKETCH_VERSION = f"2 {sys.hash_info.width} {sys.hash_info.algorithm} {sys.version_info[0]}.{sys.version_info[1]}"
META_SKETCH = "reprints_sketch"

REPRINTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS reprint_sketch (
    article_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,       -- first-indexed number: earlier articles lead their group
    content_hash TEXT NOT NULL, -- of the text sketched, to skip unchanged articles
    shingles BLOB NOT NULL,     -- sorted signed 64-bit shingle hashes
    bands BLOB NOT NULL,        -- this article's band keys
    leader TEXT NOT NULL        -- id of the article naming its group
);
CREATE INDEX IF NOT EXISTS reprint_sketch_by_leader ON reprint_sketch (leader);
CREATE TABLE IF NOT EXISTS reprint_bands (
    band INTEGER NOT NULL, seq INTEGER NOT NULL, article_id TEXT NOT NULL,
    PRIMARY KEY (band, seq, article_id)
) WITHOUT ROWID;
"""
META_DIRTY = "reprints_dirty"
"""Set while an update changes groups over several transactions; found set, every leader is recomputed."""


@dataclass(frozen=True, slots=True)
class Sketch:
    """What grouping keeps of one article's text."""

    shingles: frozenset[int]
    bands: tuple[int, ...]


def shingle_hashes(text: str) -> frozenset[int]:
    """64-bit hashes of every run of :data:`SHINGLE_WORDS` words (the whole text when shorter; none when empty)."""
    return frozenset(_shingle_hashes(text))


def _shingle_hashes(text: str) -> Iterable[int]:
    words = _WORD.findall(text.casefold())
    if not words:
        return ()
    # One encode for all words (a word never holds a space); every step after it runs in C.
    ids = list(map(zlib.crc32, " ".join(words).encode("utf-8", "surrogatepass").split(b" ")))
    if len(ids) < SHINGLE_WORDS:
        return (hash(tuple(ids)),)
    return map(hash, zip(*(ids[i:] for i in range(SHINGLE_WORDS)), strict=False))


def sketch(text: str) -> Sketch:
    """The shingles and LSH band keys of ``text``."""
    ordered, bands = _sorted_sketch(text)
    return Sketch(frozenset(ordered), bands)


def _sorted_sketch(text: str) -> tuple[list[int], tuple[int, ...]]:
    """The distinct shingle hashes of ``text`` in order (as they are stored), and its band keys."""
    ordered = sorted(set(_shingle_hashes(text)))
    if not ordered:
        return ordered, ()
    # One-permutation MinHash: the smallest hash in each bin (its top bits), found by bisecting the sorted hashes.
    minima: list[int | None] = []
    for slot in range(BINS):
        at = bisect_left(ordered, (slot << _BIN_BITS) - _OFFSET)
        inside = at < len(ordered) and (ordered[at] + _OFFSET) >> _BIN_BITS == slot
        minima.append(ordered[at] if inside else None)
    bands = []
    for band in range(WHOLE_BAND):
        rows = minima[band * BAND_ROWS : (band + 1) * BAND_ROWS]
        if None not in rows:  # an empty bin matches nothing: short texts fill fewer bands
            bands.append(hash((band, *rows)))
    bands.append(hash((WHOLE_BAND, *ordered)))
    return ordered, tuple(bands)


def resemblance(first: frozenset[int], second: frozenset[int]) -> float:
    """Shared shingles over the larger set's (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / max(len(first), len(second))


def are_reprints(first: Sketch, second: Sketch) -> bool:
    """True when the two sketched articles are reprints of each other."""
    return bool(set(first.bands) & set(second.bands)) and resemblance(first.shingles, second.shingles) >= RESEMBLANCE


# -- storage -----------------------------------------------------------------------------
def _pack(values: Iterable[int], code: str) -> bytes:
    return array(code, sorted(values)).tobytes()


def _unpack(blob: object, code: str) -> tuple[int, ...]:
    values = array(code)
    if isinstance(blob, bytes) and len(blob) % values.itemsize == 0:
        values.frombytes(blob)
    return tuple(values)  # a garbled value reads as no shingles: that article is simply grouped with none


def _stored_sketch(db: sqlite3.Connection, article_id: str) -> tuple[tuple[int, str], Sketch] | None:
    row = db.execute("SELECT seq, shingles, bands FROM reprint_sketch WHERE article_id = ?", (article_id,)).fetchone()
    if row is None:
        return None
    return (row[0], article_id), Sketch(frozenset(_unpack(row[1], "q")), _unpack(row[2], "q"))


def prepare(db: sqlite3.Connection) -> None:
    """Create the grouping tables if missing (inside the caller's write transaction)."""
    for statement in REPRINTS_SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


def has_groups(db: sqlite3.Connection) -> bool:
    """True when this store has the grouping tables (an older or never-updated store has not)."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'reprint_sketch'").fetchone() is not None


# -- one update ----------------------------------------------------------------------------
def sync_reprints(store: object) -> int:
    """Bring the groups up to date with the store's articles; returns how many articles were re-examined.

    ``store`` is the :class:`~newsdesk.index.store.ArticleStore` (its ``db`` and
    ``transaction()``). Only the articles that were added, changed or removed since
    the last sync are sketched, and only the articles whose leader they can change are
    re-examined: those led by a changed or removed article, the changed articles
    themselves, and later articles that are reprints of a changed one. Work is done
    in short transactions; an interrupted sync leaves :data:`META_DIRTY` set and
    the next one recomputes every leader from the stored sketches.
    """
    db = store.db  # type: ignore[attr-defined]
    stored_version = store.get_meta(META_SKETCH)  # type: ignore[attr-defined]
    if stored_version is not None and stored_version != SKETCH_VERSION:
        forget_reprints(store)  # sketches hashed another way: made again
    with store.transaction() as tx:  # type: ignore[attr-defined]
        prepare(tx)
        tx.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (META_SKETCH, SKETCH_VERSION))
        dirty = tx.execute("SELECT value FROM meta WHERE key = ?", (META_DIRTY,)).fetchone() is not None
        gone = [
            row[0]
            for row in tx.execute(
                "SELECT article_id FROM reprint_sketch WHERE article_id NOT IN (SELECT id FROM articles)"
            )
        ]
        changed, sketched = [], set()
        for article_id, has_sketch in tx.execute(
            "SELECT a.id, s.article_id IS NOT NULL FROM articles a LEFT JOIN reprint_sketch s ON s.article_id = a.id "
            "WHERE s.content_hash IS NOT a.content_hash"
        ):
            changed.append(article_id)
            if has_sketch:
                sketched.add(article_id)
        if not gone and not changed and not dirty:
            return 0
        tx.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (META_DIRTY, "1"))
    affected: set[str] = set()
    changed_set = set(changed)
    for offset in range(0, len(gone), _BATCH):
        with store.transaction() as tx:  # type: ignore[attr-defined]
            for article_id in gone[offset : offset + _BATCH]:
                affected.update(_led_by(tx, article_id))
                _forget(tx, article_id)
    for offset in range(0, len(changed), _BATCH):
        with store.transaction() as tx:  # type: ignore[attr-defined]
            batch = changed[offset : offset + _BATCH]
            for article_id in batch:
                if article_id in sketched:  # (a first build sketches every article: none has a sketch to undo)
                    affected.update(_led_by(tx, article_id))
                    _forget(tx, article_id)
            _remember(tx, batch)
    # Later articles that are now reprints of a changed one may now be led by it. Changed ones
    # are re-examined anyway, so only articles later than the latest unchanged one need no look.
    latest_kept = db.execute(
        "SELECT max(seq) FROM reprint_sketch WHERE article_id NOT IN (SELECT value FROM json_each(?))",
        (json.dumps(changed),),
    ).fetchone()[0]
    for article_id in changed:
        if latest_kept is not None and _seq(db, article_id) <= latest_kept:
            affected.update(a for a in _later_reprints(db, article_id) if a not in changed_set)
    affected.update(changed)
    affected.difference_update(gone)
    if dirty:
        affected = {row[0] for row in db.execute("SELECT article_id FROM reprint_sketch")}
    ordered = sorted(affected)
    for offset in range(0, len(ordered), _BATCH):
        with store.transaction() as tx:  # type: ignore[attr-defined]
            tx.executemany(
                "UPDATE reprint_sketch SET leader = ? WHERE article_id = ?",
                [(_earliest_reprint(tx, article_id), article_id) for article_id in ordered[offset : offset + _BATCH]],
            )
    with store.transaction() as tx:  # type: ignore[attr-defined]
        tx.execute("DELETE FROM meta WHERE key = ?", (META_DIRTY,))
    return len(ordered)


def _seq(db: sqlite3.Connection, article_id: str) -> int:
    row = db.execute("SELECT seq FROM reprint_sketch WHERE article_id = ?", (article_id,)).fetchone()
    return row[0] if row else 0


def _led_by(db: sqlite3.Connection, leader: str) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT article_id FROM reprint_sketch WHERE leader = ? AND article_id != ?", (leader, leader)
        )
    ]


def _forget(db: sqlite3.Connection, article_id: str) -> None:
    found = _stored_sketch(db, article_id)
    if found is None:
        return
    (seq, _), stored = found
    db.executemany(
        "DELETE FROM reprint_bands WHERE band = ? AND seq = ? AND article_id = ?",
        [(band, seq, article_id) for band in stored.bands],
    )
    db.execute("DELETE FROM reprint_sketch WHERE article_id = ?", (article_id,))


def _remember(db: sqlite3.Connection, article_ids: list[str]) -> None:
    """Sketch and store the articles ``article_ids`` (none of them sketched now), leading themselves for now."""
    rows = db.execute(
        "SELECT a.id, a.text, a.content_hash, coalesce(f.seq, 0) FROM articles a "
        "LEFT JOIN first_indexed f ON f.id = a.id WHERE a.id IN (SELECT value FROM json_each(?))",
        (json.dumps(article_ids),),
    )
    sketches, bands = [], []
    for article_id, text, content_hash, seq in rows:
        ordered, made = _sorted_sketch(text)
        sketches.append((article_id, seq, content_hash, array("q", ordered).tobytes(), _pack(made, "q"), article_id))
        bands += [(band, seq, article_id) for band in made]
    db.executemany("INSERT INTO reprint_sketch VALUES (?, ?, ?, ?, ?, ?)", sketches)
    db.executemany("INSERT OR IGNORE INTO reprint_bands VALUES (?, ?, ?)", bands)


_FIRST_PAGE = 4
"""Candidates read per band at first: the earliest is usually the one."""


def _band_pages(
    db: sqlite3.Connection, band: int, first: list[tuple[int, str]], key: tuple[int, str], before: bool
) -> Iterator[tuple[int, str]]:
    """(seq, id) of the articles in ``band`` before (or after) ``key``, earliest first: ``first``, then by pages.

    One band per query: each is a range of the (band, seq, article_id) key, so a page costs
    its rows however many articles share the band (1,000 copies of one story share them all).
    """
    yield from first
    rows, page = first, _FIRST_PAGE
    while len(rows) == page:
        where = "(seq, article_id) > (?, ?)" + (" AND (seq, article_id) < (?, ?)" if before else "")
        rows = db.execute(
            f"SELECT seq, article_id FROM reprint_bands WHERE band = ? AND {where} ORDER BY seq, article_id LIMIT ?",
            (band, *rows[-1], *(key if before else ()), _PAGE),
        ).fetchall()
        page = _PAGE
        yield from rows


def _candidates(db: sqlite3.Connection, key: tuple[int, str], own: Sketch, before: bool) -> Iterator[tuple[int, str]]:
    """Articles sharing a band with ``own`` before (or after) ``key``, earliest first, each once.

    The first page of every band comes from one statement (a UNION of per-band ranges).
    """
    if not own.bands:
        return
    where = "(seq, article_id) < (?, ?)" if before else "(seq, article_id) > (?, ?)"
    part = (
        f"SELECT * FROM (SELECT band, seq, article_id FROM reprint_bands WHERE band = ? AND {where} "
        f"ORDER BY seq, article_id LIMIT {_FIRST_PAGE})"
    )
    first: dict[int, list[tuple[int, str]]] = {band: [] for band in own.bands}
    sql = " UNION ALL ".join([part] * len(own.bands))
    values = [value for each in own.bands for value in (each, *key)]
    for band, seq, article_id in db.execute(sql, values):
        first[band].append((seq, article_id))
    previous = None
    pages = (_band_pages(db, band, sorted(rows), key, before) for band, rows in first.items())
    for found in heapq.merge(*pages):
        if found != previous:
            yield found
        previous = found


def _earliest_reprint(db: sqlite3.Connection, article_id: str) -> str:
    """The id of the earliest article among ``article_id`` and its reprints: its group's leader."""
    found = _stored_sketch(db, article_id)
    if found is None:
        return article_id
    key, own = found
    for _, candidate in _candidates(db, key, own, before=True):
        other = _stored_sketch(db, candidate)
        if other is not None and are_reprints(own, other[1]):
            return candidate
    return article_id


def _later_reprints(db: sqlite3.Connection, article_id: str) -> list[str]:
    found = _stored_sketch(db, article_id)
    if found is None:
        return []
    key, own = found
    later = []
    for _, candidate in _candidates(db, key, own, before=False):
        other = _stored_sketch(db, candidate)
        if other is not None and are_reprints(own, other[1]):
            later.append(candidate)
    return later


# -- reading groups --------------------------------------------------------------------------
def grouped_articles(db: sqlite3.Connection) -> dict[str, str]:
    """Article id -> leader, for every article in a group of two or more."""
    if not has_groups(db):
        return {}
    # Only a leader that is itself a sketched article leading itself makes a group: a hand-edited
    # or garbled leader column (one value for all, a number) must not fold unrelated articles together.
    rows = db.execute(
        "SELECT s.article_id, s.leader FROM reprint_sketch s "
        "JOIN reprint_sketch l ON l.article_id = s.leader AND l.leader = l.article_id "
        "WHERE s.leader IN (SELECT leader FROM reprint_sketch GROUP BY leader HAVING count(*) > 1) "
        "ORDER BY s.seq, s.article_id"
    )
    return dict(rows.fetchall())


def leaders(db: sqlite3.Connection) -> dict[str, str]:
    """Article id -> leader, for every sketched article (tests and benchmarks)."""
    if not has_groups(db):
        return {}
    return dict(db.execute("SELECT article_id, leader FROM reprint_sketch").fetchall())


def forget_reprints(store: object) -> None:
    """Drop every group (grouping turned off): each article is its own story until it is turned on again."""
    with store.transaction() as tx:  # type: ignore[attr-defined]
        tx.execute("DROP TABLE IF EXISTS reprint_bands")
        tx.execute("DROP TABLE IF EXISTS reprint_sketch")
        tx.executemany("DELETE FROM meta WHERE key = ?", [(META_DIRTY,), (META_SKETCH,)])
