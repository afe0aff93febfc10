"""The documents a full build would write for the first N articles of a newsdesk store, and its common terms.

For the benches that time the direct writer alone on a store made beforehand
(bench/block_protocol.py, bench/frequency_cost.py, bench/small_zlib.py).
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any

from newsdesk.index.engine.hidden_fields import COMMON_SAMPLE, common_terms
from newsdesk.index.indexer import document_fields
from newsdesk.index.store import ArticleStore


def first_documents(state: Path, n: int) -> tuple[list[dict[str, Any]], frozenset[str]]:
    """The fields of the first ``n`` articles of ``state``'s store, and the common terms a build samples."""
    store = ArticleStore(state / "articles.db")
    docs: list[dict[str, Any]] = []
    for batch in store.iter_article_batches():
        entities = store.entity_fields([a.id for a in batch])
        docs.extend(document_fields(a, entities.get(a.id), None) for a in batch)
        if len(docs) >= n:
            break
    common = common_terms(a.title + "\n" + a.text for a in islice(store.iter_articles(), COMMON_SAMPLE))
    return docs[:n], common
