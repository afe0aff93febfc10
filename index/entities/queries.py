"""Reading entities back: one article's mentions, the corpus' top entities, keyword-in-context."""

from __future__ import annotations

import re

from newsdesk.index.article import MULTI_VALUE_SEPARATOR, Article
from newsdesk.index.entities.model import ENTITY_TYPES, EntityContext, EntityCount, EntityMention
from newsdesk.index.entities.stage import ExtractorSpec, decode, encode
from newsdesk.index.errors import UsageError
from newsdesk.index.store import ArticleStore

CONTEXT_CHARS = 60
_WHITESPACE = re.compile(r"\s+")


def article_mentions(store: ArticleStore, spec: ExtractorSpec, article: Article) -> list[EntityMention]:
    """The mentions in ``article.text``: from the cache, else extracted now (not yet indexed)."""
    if spec.backend == "none":
        return []
    row = store.db.execute(
        "SELECT mentions FROM entity_cache WHERE content_hash = ? AND extractor = ?",
        (article.content_hash, spec.key),
    ).fetchone()
    column = row[0] if row else encode(spec.build().extract_article(article.title, article.text))[0]
    linked = _linked_names(store, article.id)
    return [
        EntityMention(m.text, linked.get((m.type, m.canonical), m.canonical), m.type, m.start, m.end)
        for m in decode(article.text, column)
    ]


def _linked_names(store: ArticleStore, article_id: str) -> dict[tuple[str, str], str]:
    """(type, name the extractor gave) -> the corpus-wide canonical name, for one article (linking.py)."""
    linked: dict[tuple[str, str], str] = {}
    for kind, canonical, aliases in store.db.execute(
        "SELECT type, canonical, aliases FROM article_entities WHERE article_id = ?", (article_id,)
    ):
        for alias in aliases.split(MULTI_VALUE_SEPARATOR):
            if alias:
                linked.setdefault((kind, alias), canonical)
    return linked


def _check_type(kind: str | None) -> None:
    if kind is not None and kind not in ENTITY_TYPES:
        raise UsageError(f"entity type must be one of {', '.join(ENTITY_TYPES)}, got {kind!r}")


def top_entities(store: ArticleStore, limit: int = 20, kind: str | None = None) -> list[EntityCount]:
    """The entities in the most articles (ties: most mentions, then name)."""
    _check_type(kind)
    where, params = ("WHERE type = ?", [kind]) if kind else ("", [])
    rows = store.db.execute(
        f"SELECT canonical, type, count(*) AS n, sum(mentions) AS m FROM article_entities {where} "
        "GROUP BY type, canonical ORDER BY n DESC, m DESC, canonical LIMIT ?",
        [*params, limit],
    )
    return [EntityCount(canonical, kind_, n, m) for canonical, kind_, n, m in rows]


def entity_contexts(
    store: ArticleStore, spec: ExtractorSpec, canonical: str, kind: str, limit: int = 200
) -> list[EntityContext]:
    """Every mention of one entity across the corpus, newest articles first, as KWIC lines."""
    _check_type(kind)
    rows = store.db.execute(
        "SELECT e.article_id FROM article_entities e JOIN articles a ON a.id = e.article_id "
        "WHERE e.type = ? AND e.canonical = ? ORDER BY a.date IS NULL, a.date DESC, a.path, a.item",
        (kind, canonical),
    ).fetchall()
    contexts: list[EntityContext] = []
    articles = store.get_many([row[0] for row in rows])
    for (article_id,) in rows:
        article = articles.get(article_id)
        if article is None:
            continue
        for mention in article_mentions(store, spec, article):
            if mention.type != kind or mention.canonical != canonical:
                continue
            left = article.text[max(0, mention.start - CONTEXT_CHARS) : mention.start]
            right = article.text[mention.end : mention.end + CONTEXT_CHARS]
            contexts.append(
                EntityContext(
                    article.id,
                    article.title,
                    article.date,
                    article.source,
                    mention.start,
                    mention.end,
                    _WHITESPACE.sub(" ", left),
                    mention.text,
                    _WHITESPACE.sub(" ", right),
                )
            )
            if len(contexts) >= limit:
                return contexts
    return contexts
