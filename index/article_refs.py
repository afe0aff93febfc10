"""How a user names an article (:meth:`newsdesk.index.Library.article`): by id, or by its file in the corpus.

A file holding several articles names one of them as ``path#N``.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from newsdesk.index.article import Article
from newsdesk.index.errors import ArticleNotFound, UsageError
from newsdesk.index.ingest.clean import UNSAFE_CHARS
from newsdesk.index.locations import expand_user
from newsdesk.index.store import ArticleStore

_ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
_ITEM_SUFFIX = re.compile(r"^(.*)#(\d+)$")


def find_article(store: ArticleStore, root: Path, ref: str) -> Article:
    """The article ``ref`` names in ``store``: its id, or its file's path (``path#N``: the N-th item of a file).

    A path is absolute, relative to the working folder, or relative to the corpus ``root``.
    """
    ref = ref.strip()
    if UNSAFE_CHARS.search(ref):
        raise UsageError(f"{ref!r}: not a valid article id or path (control characters)")
    if _ARTICLE_ID.match(ref):
        found = store.get(ref)
        if found is not None:
            return found
    path, item = ref, None
    suffix = _ITEM_SUFFIX.match(ref)
    if suffix and not _relative(store, root, ref):
        path, item = suffix.group(1), int(suffix.group(2))
    relative = _relative(store, root, path)
    if relative is None:
        raise ArticleNotFound(f"{ref}: no article with this id or path in the corpus")
    articles = store.by_path(relative)
    if not articles:
        raise ArticleNotFound(f"{ref}: no article with this id or path in the corpus")
    if item is None:
        if len(articles) > 1:
            raise UsageError(
                f"{ref} holds {len(articles)} articles; name one as {relative}#0 to "
                f"{relative}#{articles[-1].item}, or by id"
            )
        return articles[0]
    for article in articles:
        if article.item == item:
            return article
    raise ArticleNotFound(f"{ref}: {relative} has no item {item}")


def _relative(store: ArticleStore, root: Path, path: str) -> str | None:
    """``path`` as a corpus-relative path of a file ``store`` holds, or None if it points elsewhere."""
    candidate = expand_user(Path(path))
    try:
        if candidate.is_absolute():
            try:
                path = candidate.resolve().relative_to(root).as_posix()
            except ValueError:
                return None
        else:
            resolved = (Path.cwd() / candidate).resolve()
            if resolved.exists() and resolved.is_relative_to(root):
                return resolved.relative_to(root).as_posix()
    except OSError:
        pass  # an unreadable working folder (another account's): fall back to the corpus path
    normal = posixpath.normpath(path.replace("\\", "/"))
    if normal.startswith("../") or normal == ".." or normal.startswith("/"):
        return None
    return normal if store.by_path(normal) else None
