"""The Whoosh document of one article: its fields, entities, annotations, facet columns and prefix fields."""

from __future__ import annotations

from datetime import datetime

from newsdesk.index.annotations import AnnotationSummary
from newsdesk.index.article import MULTI_VALUE_SEPARATOR, Article
from newsdesk.index.display import path_index_key
from newsdesk.index.engine.hidden_fields import add_prefix_values
from newsdesk.index.engine.schema import FACET_COLUMNS
from newsdesk.index.entities import INDEX_FIELDS

EntityFields = dict[str, list[tuple[str, str]]]
"""Per index field (person, org, place): (canonical name, other surface forms joined by U+001F)."""


def document_fields(
    article: Article, entities: EntityFields | None = None, annotations: AnnotationSummary | None = None
) -> dict[str, object]:
    """The Whoosh document for one article, with its entities and annotations when known."""
    # Annotation tags join the article's own: `tag:evidence` and the tags facet see both.
    tags = list(dict.fromkeys([*article.tags, *sorted(annotations.tags if annotations else ())]))
    doc: dict[str, object] = {
        "id": article.id,
        "path": path_index_key(article.path),
        "title": article.title,
        "body": article.text,
        "language": article.language or "",
        "tags": ",".join(tags),
        "annotated": "yes" if annotations else "no",
    }
    if annotations and annotations.notes:
        doc["note"] = "\n\n".join(annotations.notes)
    if article.source:
        doc["source"] = article.source
    if article.author:
        doc["author"] = article.author
    if article.date:
        doc["date"] = datetime.fromisoformat(article.date)
    facet_values = {
        "source": article.source or "",
        "date": article.date or "",
        "tags": MULTI_VALUE_SEPARATOR.join(tags),
        "author": article.author or "",
        "language": article.language or "",
    }
    for name in INDEX_FIELDS.values():
        found = (entities or {}).get(name, [])
        # Indexed under every surface form, so org:OSCE finds "Organization for
        # Security and Co-operation in Europe (OSCE)"; counted under the canonical name.
        forms = {canonical for canonical, _ in found}
        forms.update(alias for _, aliases in found for alias in aliases.split(MULTI_VALUE_SEPARATOR) if alias)
        if forms:
            doc[name] = ",".join(sorted(form.replace(",", " ") for form in forms))
        facet_values[name] = MULTI_VALUE_SEPARATOR.join(canonical for canonical, _ in found)
    for facet, value in facet_values.items():
        doc[FACET_COLUMNS[facet]] = value.encode("utf-8", "surrogatepass")
    return add_prefix_values(doc)
