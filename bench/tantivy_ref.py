"""The tantivy reference engine: same files, same queries, top 20 with snippets and a total.

tantivy (Rust, the engine behind Quickwit; Python binding ``tantivy``) is what
a single large machine would run instead of Whoosh. It is a bench extra
(``pip install -e '.[bench]'``), never a dependency of newsdesk itself.

Analysis is tantivy's ``en_stem`` (lowercase, English stemmer), title boosted
2x as in newsdesk and FTS5. The bench's Whoosh-syntax queries mostly parse
as they are (``a AND b``, ``"phrases"``); ``abcd*`` is not a prefix in
tantivy's parser, so prefixes become a constant-score regex ``abcd.*`` over
both fields, as newsdesk scores expansions.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import tantivy

WRITER_HEAP_BYTES = 256_000_000
"""Indexing memory shared by tantivy's writer threads (its own default is 50 MB per thread)."""
_PREFIX = re.compile(r"^(\w+)\*$")


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("path", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    return builder.build()


def build(corpus: Path, index_dir: Path, threads: int = 2) -> dict[str, float]:
    """Index every .txt file of ``corpus`` (title = first line) into a tantivy index at ``index_dir``."""
    started = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(_schema(), path=str(index_dir))
    writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=threads)
    docs = 0
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        writer.add_document(tantivy.Document(path=str(path.relative_to(corpus)), title=title, body=body))
        docs += 1
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())
    return {"docs": docs, "seconds": seconds, "docs_per_s": docs / seconds, "size_bytes": size}


class Searcher:
    """One open tantivy index, searched as the bench searches the others."""

    def __init__(self, index_dir: Path) -> None:
        self.index = tantivy.Index.open(str(index_dir))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def parse(self, query: str) -> Any:
        """The bench query as a tantivy query."""
        prefix = _PREFIX.match(query)
        if prefix:
            pattern = re.escape(prefix.group(1).lower()) + ".*"
            return tantivy.Query.boolean_query(
                [
                    (
                        tantivy.Occur.Should,
                        tantivy.Query.const_score_query(tantivy.Query.regex_query(self.schema, field, pattern), 1.0),
                    )
                    for field in ("title", "body")
                ]
            )
        return self.index.parse_query(query, ["title", "body"], field_boosts={"title": 2.0})

    def search(self, query: str, limit: int = 20) -> tuple[int, list[tuple[str, str]]]:
        """(total, [(path, snippet)]) for one query, ranked by BM25."""
        parsed = self.parse(query)
        found = self.searcher.search(parsed, limit, count=True)
        snippets = tantivy.SnippetGenerator.create(self.searcher, parsed, self.schema, "body")
        hits = []
        for _score, address in found.hits:
            doc = self.searcher.doc(address)
            hits.append((doc["path"][0], snippets.snippet_from_doc(doc).to_html()))
        return found.count, hits
