"""The reader through a real SSH session on loopback, in tmux, as an analyst on a shared server uses it."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.test_e2e_tmux import NEWSDESK, Terminal

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
pytestmark = pytest.mark.skipif(
    not (Path(SSHD).exists() and shutil.which("ssh") and shutil.which("tmux") and os.geteuid() == 0),
    reason="needs sshd and ssh (apt-get install openssh-server), tmux, and root to start sshd",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An sshd on a loopback port that accepts one key, for root; yields (port, client key)."""
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True)
    (keys / "authorized_keys").write_text((keys / "client.pub").read_text())
    port = _free_port()
    config = keys / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPidFile {keys / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\nAcceptEnv XDG_*\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation folder
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    else:
        server.kill()
        pytest.skip(f"sshd did not start: {server.stderr.read().decode()[-300:] if server.stderr else ''}")
    try:
        yield port, keys / "client"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_search_over_ssh(sshd: tuple[int, Path], tmp_path: Path) -> None:
    if not NEWSDESK.exists():
        pytest.skip(f"{NEWSDESK} not installed (pip install -e .)")
    port, key = sshd
    remote = (
        f"cd {shlex.quote(str(tmp_path))} && XDG_STATE_HOME={tmp_path / 'state-home'} "
        f"XDG_DATA_HOME={tmp_path / 'data-home'} XDG_CONFIG_HOME={tmp_path / 'config-home'} "
        f"TERM=xterm-256color {NEWSDESK} --state-dir {tmp_path / 'index'}"
    )
    ssh = [
        "ssh",
        "-tt",
        "-i",
        str(key),
        "-p",
        str(port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "BatchMode=yes",
        "root@127.0.0.1",
        remote,
    ]
    name = f"newsdesk-ssh-{uuid.uuid4().hex[:8]}"
    command = shlex.join(ssh) + "; echo ssh-exited; sleep 5"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "100", "-y", "30", command], check=True)
    terminal = Terminal(name)
    try:
        terminal.wait_for("21 articles", timeout=60)
        terminal.wait_for("indexed", timeout=60)
        terminal.press("/")
        terminal.type("launch pad")
        shown = terminal.wait_for("2 results")
        assert "Moscow spy chief warns" in shown
        terminal.press("Escape")
        time.sleep(0.3)
        terminal.press("q")
        terminal.wait_for("ssh-exited", timeout=15)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)
