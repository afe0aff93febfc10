"""``newsdesk serve``: the reader in a web browser, through textual-serve.

textual-serve runs one ``newsdesk`` process per browser tab and relays its
screen over a websocket. It has no authentication: whoever can reach the port
gets a reader running as the user who started the server. So it binds to
loopback unless told otherwise, and says so loudly when told otherwise.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from pathlib import Path

from newsdesk.index import UsageError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(corpus: Path | None, config: Path | None, state_dir: Path | None, host: str, port: int) -> int:
    """Serve the reader on ``host:port`` until interrupted."""
    if not 0 < port < 65536:
        raise UsageError(f"--port must be 1-65535, got {port}")
    command = [sys.executable, "-m", "newsdesk"]
    if corpus is not None:
        command.append(str(corpus.expanduser().resolve()))
    for flag, value in (("--config", config), ("--state-dir", state_dir)):
        if value is not None:
            command += [flag, str(value.expanduser().resolve())]
    if not _is_loopback(host):
        print(
            f"newsdesk: warning: serving on {host}:{port} WITHOUT AUTHENTICATION - anyone who can reach it "
            "reads and annotates as you. Put it behind an authenticating proxy or use --host 127.0.0.1.",
            file=sys.stderr,
        )
    from textual_serve.server import Server

    Server(shlex.join(command), host=host, port=port, title="newsdesk").serve()
    return 0
