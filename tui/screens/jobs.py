"""The main screen's background work: opening articles and listing an entity's mentions.

Every call into :mod:`newsdesk.index` that can take time runs in a thread worker and
reports back with a message; nothing here touches a widget. Each article load
carries a sequence number, and a result whose number is not the latest is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.index import (
    Article,
    EntityContext,
    EntityMention,
    Library,
    NewsdeskError,
    QueryMatcher,
)
from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker


@dataclass
class ArticleLoaded(Message):
    seq: int
    article: Article
    hits: list[tuple[int, int]]
    mentions: list[EntityMention]
    scroll: int | None
    mark: tuple[int, int] | None = None


@dataclass
class ArticleFailed(Message):
    seq: int
    error: str


@dataclass
class MentionsLoaded(Message):
    canonical: str
    type: str
    contexts: list[EntityContext] | None
    error: str | None = None


class LibraryJobs(Screen):
    """Thread workers over one :class:`~newsdesk.index.Library`; results come back as messages."""

    library: Library

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def load_article(
        self, article_id: str, matcher: QueryMatcher, seq: int, scroll: int | None, mark: tuple[int, int] | None = None
    ) -> None:
        """Read an article, its entity mentions and the query's matches in it."""
        try:
            article = self.library.article(article_id)
            mentions = self.library.entities(article.id)
        except NewsdeskError as exc:
            self.post_message(ArticleFailed(seq, str(exc)))
            return
        hits = matcher.spans(article.text)  # what the list counted for this article
        if not get_current_worker().is_cancelled:
            self.post_message(ArticleLoaded(seq, article, hits, mentions, scroll, mark))

    @work(thread=True, exclusive=True, group="mentions", exit_on_error=False)
    def load_mentions(self, canonical: str, entity_type: str) -> None:
        """Every mention of an entity across the corpus (keyword in context)."""
        try:
            contexts = self.library.entity_mentions(canonical, entity_type)
        except NewsdeskError as exc:
            self.post_message(MentionsLoaded(canonical, entity_type, None, str(exc)))
            return
        self.post_message(MentionsLoaded(canonical, entity_type, contexts))
