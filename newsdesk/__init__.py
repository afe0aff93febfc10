"""newsdesk: a keyboard-driven terminal reader for news articles.

One installed name: the headless core is :mod:`newsdesk.index` (built from the
repository's ``index/`` folder) and the reader and command line are
:mod:`newsdesk.tui` (from ``tui/``). pyproject.toml maps the folders.
"""

import sys


def _die_with_parent_while_starting() -> None:
    """In a worker that multiprocessing is still starting ("spawn"), ask Linux to SIGKILL it with its parent.

    A spawned worker re-imports the main script and its modules before its initializer
    (:func:`newsdesk.index.orphans.exit_with_parent`) runs: seconds on a loaded machine,
    during which a SIGKILLed parent left it running. This package is the first thing those
    imports load, so the signal is armed here, before them; the initializer then checks
    that the parent did not die before this point.
    """
    process = sys.modules.get("multiprocessing.process")
    if process is None or not sys.platform.startswith("linux"):
        return
    if not getattr(process.current_process(), "_inheriting", False):  # set only while a child is being spawned
        return
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):  # no prctl: the initializer's watchdog still ends it
        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG


_die_with_parent_while_starting()

from importlib.metadata import PackageNotFoundError, version  # noqa: E402  (after arming: it scans sys.path)

try:
    __version__ = version("newsdesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
