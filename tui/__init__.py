"""newsdesk's user-facing half: the ``newsdesk`` command and (soon) the Textual reader.

Only :mod:`newsdesk.index`'s public API is used from here.
"""
