"""``newsdesk serve``: the reader served to a browser over loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from newsdesk.tui.serve import _is_loopback


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_on_loopback(corpus: Path, tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "serve", str(corpus), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1],
    )
    try:
        deadline = time.monotonic() + 30
        page = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert "newsdesk" in page and "ws" in page  # the page that opens the app's websocket
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                 ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False)])
def test_only_loopback_counts_as_private(host: str, loopback: bool) -> None:
    assert _is_loopback(host) is loopback


def test_serving_beyond_loopback_warns_about_authentication(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started = []

    class FakeServer:
        def __init__(self, command: str, host: str, port: int, title: str) -> None:
            started.append((command, host, port))

        def serve(self) -> None:
            pass

    monkeypatch.setattr("textual_serve.server.Server", FakeServer)
    from newsdesk.tui.cli import main

    assert main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    assert "WITHOUT AUTHENTICATION" in capsys.readouterr().err
    assert started[0][1:] == ("0.0.0.0", 8123) and "newsdesk" in started[0][0]
    assert main(["serve", "--port", "0"]) == 2
