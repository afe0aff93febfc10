"""newsdesk: a keyboard-driven terminal reader for news articles.

One installed name: the headless core is :mod:`newsdesk.index` (built from the
repository's ``index/`` folder) and the reader and command line are
:mod:`newsdesk.tui` (from ``tui/``). pyproject.toml maps the folders.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsdesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
