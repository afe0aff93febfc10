"""Where newsdesk keeps things: config, per-user data and a corpus' state dir."""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "newsdesk"
STATE_DIR_NAME = ".newsdesk"


def expand_user(path: Path) -> Path:
    """``path`` with a leading ``~`` or ``~name`` expanded; as given when there is no such home
    (``~nosuchuser/x``: pathlib raises RuntimeError, which reached the user as a traceback)."""
    try:
        return path.expanduser()
    except RuntimeError:
        return path


def user_config_file() -> Path:
    """The per-user config file ($XDG_CONFIG_HOME/newsdesk/config.yaml)."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.yaml"


def user_data_dir() -> Path:
    """Per-user data ($XDG_DATA_HOME/newsdesk), home of state dirs that cannot live in a corpus."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def demo_corpus() -> Path:
    """The bundled demo corpus, shipped as package data."""
    return Path(str(resources.files(__package__) / "demo_corpus"))


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def default_state_dir(corpus: Path) -> Path:
    """``<corpus>/.newsdesk`` when that can be written, else a folder in the user's data dir.

    Everyone opening the same corpus folder shares ``<corpus>/.newsdesk``. A
    single-file corpus, the bundled demo corpus and read-only corpora get a
    folder of their own under the data dir, named after the corpus' absolute path.
    """
    corpus = corpus.resolve()
    if corpus.is_dir() and corpus != demo_corpus().resolve():
        in_corpus = corpus / STATE_DIR_NAME
        if _writable_dir(in_corpus) or (not in_corpus.exists() and _writable_dir(corpus)):
            return in_corpus
    digest = hashlib.sha1(str(corpus).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return user_data_dir() / "corpora" / f"{corpus.name or 'root'}-{digest}"
