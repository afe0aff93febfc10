"""newsdesk's user-facing half: the ``newsdesk`` command, the Textual reader and ``newsdesk serve``.

Only :mod:`newsdesk.index`'s public API (what its ``__init__`` exports) is used from
here; tests/test_architecture.py fails on any other import from the core.
"""
