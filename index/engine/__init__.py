"""The search engine: Whoosh schema and analysis, index reads, match sets, ranking, snippets.

Everything here works on one Whoosh index; :class:`newsdesk.index.library.Library`
(ingest, store, indexer, annotations, entities) is built on top of it, and the
reader reaches the engine only through :mod:`newsdesk.index`.
"""
