"""``newsdesk serve``: the reader in a web browser, one reader process per tab.

The server (:mod:`newsdesk.tui.web`) answers only requests carrying a token it
prints at start (Jupyter-style), only under the address it is bound to, and takes
websockets only from its own page; SIGTERM or SIGINT end every reader as a dropped
SSH connection would (what is being typed is saved) and then the server.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from newsdesk.index import Library, UsageError, display_path, expand_user, load_config, with_overrides
from newsdesk.tui.keymap import check_keymap, config_name
from newsdesk.tui.web.access import (
    AccessGuard,
    canonical_host,
    is_loopback,
    is_wildcard,
    load_or_create_token,
    new_token,
)

DEFAULT_MAX_SESSIONS = 8
"""Readers running at once; each is a process of its own (see docs/performance.md for its memory)."""

__all__ = ["DEFAULT_MAX_SESSIONS", "is_loopback", "reader_command", "serve", "served_url"]


def reader_command(corpus: Path | None, config: Path | None, state_dir: Path | None) -> list[str]:
    """The command each browser tab runs: the reader, with absolute paths (the server's cwd may differ)."""
    command = [sys.executable, "-m", "newsdesk"]
    if corpus is not None:
        command.append(str(expand_user(corpus).resolve()))
    for flag, value in (("--config", config), ("--state-dir", state_dir)):
        if value is not None:
            command += [flag, str(expand_user(value).resolve())]
    return command


def served_url(host: str, port: int) -> str:
    """The address a browser should open (no token): this machine's name for a wildcard bind."""
    if is_wildcard(host):
        host = socket.getfqdn()
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(
    corpus: Path | None,
    config: Path | None,
    state_dir: Path | None,
    host: str,
    port: int,
    *,
    token_file: Path | None = None,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
) -> int:
    """Serve the reader on ``host:port`` until SIGTERM or SIGINT; every request needs the token."""
    host = canonical_host(host)  # the form the browser will send back in Host and Origin
    if not 0 < port < 65536:
        raise UsageError(f"--port must be 1-65535, got {port}")
    if max_sessions < 1:
        raise UsageError(f"--max-sessions must be 1 or more, got {max_sessions}")
    token = load_or_create_token(token_file) if token_file is not None else new_token()
    settings = load_config(config)
    if corpus is not None:
        settings = with_overrides(settings, corpus=corpus)
    check_keymap(settings.ui.keymap, config_name(settings))  # a bad key: one line now, not per tab
    with Library.open(state_dir=state_dir, config=settings) as library:  # a bad corpus: one line now, not per tab
        corpus_name = library.name
    from newsdesk.tui.web.server import NewsdeskServer  # aiohttp loads only for serving

    url = served_url(host, port)
    shown_token = token if token_file is None else f"...  (the token is in {display_path(str(token_file))})"

    def announce() -> None:
        print(
            f"newsdesk serve: the reader on {display_path(corpus_name)}; open\n    {url}?token={shown_token}\n"
            "Stop it with Ctrl+C or SIGTERM.",
            flush=True,
        )
        if not is_loopback(host):
            print(
                f"newsdesk: warning: serving on {display_path(host)}:{port}, beyond this machine. Anyone who can "
                "reach it and has the token reads and annotates as you, over plain HTTP: prefer --host 127.0.0.1 "
                "and `ssh -L`.",
                file=sys.stderr,
                flush=True,
            )

    server = NewsdeskServer(
        reader_command(corpus, config, state_dir),
        host=host,
        port=port,
        corpus_name=corpus_name,
        guard=AccessGuard(token, host, port),
        max_sessions=max_sessions,
        on_listening=announce,
    )
    server.serve()
    return 0
