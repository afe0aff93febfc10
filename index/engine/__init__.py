"""The search engine: Whoosh schema and analysis, index reads, match sets, ranking, snippets.

Everything here works on one Whoosh index; :class:`newsdesk.index.library.Library`
(ingest, store, indexer, annotations, entities) is built on top of it, and the
reader reaches the engine only through :mod:`newsdesk.index`.
"""

from newsdesk.index.engine import whoosh_patches

# The one place newsdesk's replacements go into Whoosh (see whoosh_patches for each
# one and why). Here rather than in Library: every process that indexes or searches
# imports this package first, including the writer processes a parallel build spawns
# (they import newsdesk.index.indexer and unpickle the schema from engine/schema.py),
# so no process can write or read the index with stock Whoosh by accident.
whoosh_patches.apply()

# Indexes written before the engine had its own package carry their schema pickled
# (in each TOC, unpickled by Whoosh on every open) with classes named from
# newsdesk.index.schema. That name stays an alias of the module so those indexes open
# as they are, with no traceback and no rebuild (tests/test_whoosh_pin.py writes one).
import sys  # noqa: E402  (after apply(): the alias must name the patched module)

from newsdesk.index.engine import schema as _schema  # noqa: E402

sys.modules.setdefault("newsdesk.index.schema", _schema)
