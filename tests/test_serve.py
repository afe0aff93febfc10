"""``newsdesk serve``: the token, the token file, the Host check, the page title.

Also the helpers the other ``test_serve_*`` modules share: the real server in a
process, and a websocket client that speaks textual-serve's protocol as the page does.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import make_mocked_request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import UsageError, display_path
from newsdesk.tui.cli import main
from newsdesk.tui.serve import is_loopback
from newsdesk.tui.web.access import AccessGuard, load_or_create_token, new_token

ROOT = Path(__file__).resolve().parents[1]
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    """A running ``newsdesk serve``: its process, port, token and captured output."""

    process: subprocess.Popen[str]
    port: int
    token: str
    stderr_path: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cookie_header(self) -> str:
        return f"newsdesk-token-{self.port}={self.token}"

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def readers(self) -> list[int]:
        """Process ids of the reader processes this server started."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait until no reader process runs and the server has forgotten every session
        (its log's last count of running readers is 0)."""
        deadline = time.monotonic() + timeout
        while self.readers() or self.running_sessions():
            assert time.monotonic() < deadline, f"readers still running: {self.readers()}"
            time.sleep(0.05)

    def running_sessions(self) -> int:
        """How many sessions the server last said were running (0 before the first)."""
        counts = re.findall(r"\((\d+) running\)", self.stderr())
        return int(counts[-1]) if counts else 0


@contextmanager
def newsdesk_serve(tmp_path: Path, *args: str, port: int | None = None) -> Iterator[Served]:
    """``newsdesk serve ARGS`` on a free loopback port; ended with SIGTERM (then SIGKILL) afterwards."""
    port = port or free_port()
    stderr_path = tmp_path / f"serve-{port}.err"
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
    }
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "newsdesk", "serve", "--port", str(port), *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=tmp_path,
            env=env,
        )
    try:
        token = _read_token(process)
        yield Served(process, port, token, stderr_path)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout:
            process.stdout.close()


def _read_token(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"newsdesk serve ended before printing its URL: {seen!r}")
        seen += line
        if match := re.search(r"\?token=([0-9a-f]{32})\b", line):
            return match.group(1)
    raise AssertionError(f"no tokened URL printed: {seen!r}")


def screen_text(data: bytes) -> str:
    """What a terminal shows of ``data``, roughly: the text with escape sequences removed."""
    return _ESCAPES.sub("", data.decode("utf-8", "replace"))


class ReaderSocket:
    """One browser tab's websocket, as textual-serve's ``textual.js`` drives it.

    Like a browser, it reads everything the server sends as it comes, whatever the test
    is waiting on (a tab nobody reads stops answering the server's heartbeat pings, and
    the server rightly ends its reader).
    """

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.received = bytearray()
        self.mark = 0
        self.closed = False
        self._arrived = asyncio.Event()
        self._reading = asyncio.ensure_future(self._read_everything())

    async def _read_everything(self) -> None:
        try:
            while True:
                message = await self.websocket.receive()
                if message.type == aiohttp.WSMsgType.BINARY:
                    self.received += message.data
                elif message.type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.CLOSING,
                    aiohttp.WSMsgType.ERROR,
                ):
                    return
                self._arrived.set()
        finally:
            self.closed = True
            self._arrived.set()

    async def ready(self, timeout: float = 120) -> None:
        """Wait until the reader lists the indexed corpus, then focus it as a click on the page
        does. ("articles · indexed", not "indexed": "not indexed yet" contains that, and
        its list is still empty.) Keys may follow at once."""
        await self.wait_for("articles · indexed", timeout)
        await self.websocket.send_str(json.dumps(["focus"]))

    async def press(self, key: str, text: str) -> str:
        """Press ``key`` once and wait until ``text`` is drawn after it."""
        self.expect_new()
        await self.type(key)
        return await self.wait_for(text)

    async def wait_for(self, text: str, timeout: float = 60) -> str:
        """Wait until ``text`` has been drawn since the last :meth:`expect_new` call."""
        deadline = time.monotonic() + timeout
        while True:
            self._arrived.clear()
            shown = screen_text(bytes(self.received[self.mark :]))
            if text in shown:
                return shown
            if self.closed or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never shown; last output: {shown[-800:]!r}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), 0.5)

    def expect_new(self) -> None:
        """Look only at what is drawn from now on."""
        self.mark = len(self.received)

    async def type(self, *keys: str) -> None:
        """Send keys in one burst, as a fast typist (or a slow link) does."""
        for key in keys:
            await self.websocket.send_str(json.dumps(["stdin", key]))

    async def wait_closed(self, timeout: float = 30) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._reading), timeout)
        assert self.closed, "the websocket stayed open"


async def open_reader(
    session: aiohttp.ClientSession, served: Served, *, width: int = 120, height: int = 35
) -> ReaderSocket:
    """A tab's websocket with the cookie and the served Origin, as a browser opens it."""
    websocket = await session.ws_connect(
        f"ws://127.0.0.1:{served.port}/ws?width={width}&height={height}",
        headers={"Origin": served.origin, "Cookie": served.cookie_header},
    )
    return ReaderSocket(websocket)


def run(coroutine: object) -> object:
    """Run a coroutine to the end in a fresh event loop."""
    return asyncio.run(coroutine)  # type: ignore[arg-type]


# -- what counts as this machine ------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_only_loopback_counts_as_private(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# -- the token ----------------------------------------------------------------------------
def test_a_new_token_is_128_random_bits() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", token) for token in tokens)


def test_the_token_file_is_created_private_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "token"
    token = load_or_create_token(path)
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_token(path) == token


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_a_token_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "token"
    load_or_create_token(path)
    path.chmod(mode)
    with pytest.raises(UsageError, match="can be read by others"):
        load_or_create_token(path)


def test_a_symlinked_token_file_is_refused_and_not_written_through(tmp_path: Path) -> None:
    target = tmp_path / "planted"
    link = tmp_path / "token"
    link.symlink_to(target)  # dangling: creating "token" would create the link's target
    with pytest.raises(UsageError, match="symlink"):
        load_or_create_token(link)
    assert not target.exists()
    target.write_text("a" * 32)
    target.chmod(0o600)
    with pytest.raises(UsageError, match="symlink"):
        load_or_create_token(link)


def test_a_fifo_or_folder_as_token_file_is_one_line_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(UsageError, match="not a regular file"):
        load_or_create_token(fifo)
    with pytest.raises(UsageError):
        load_or_create_token(tmp_path)


def test_a_token_file_in_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot create the token file"):
        load_or_create_token(tmp_path / "missing" / "token")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.binary(max_size=300)
    | st.text(max_size=100).map(str.encode)
    | st.from_regex(r"[A-Za-z0-9._~-]{30,40}", fullmatch=True).map(lambda t: f"\n{t}\n".encode())
)
def test_any_token_file_content_is_used_exactly_or_refused_in_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "token"
    path.unlink(missing_ok=True)
    path.write_bytes(content)
    path.chmod(0o600)
    try:
        token = load_or_create_token(path)
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    assert token == content.decode("ascii").strip()
    assert re.fullmatch(r"[A-Za-z0-9._~-]{32,}", token)


TOKEN = "0123456789abcdef0123456789abcdef"


@settings(max_examples=300, deadline=None)
@given(offered=st.text() | st.just(TOKEN[:-1]) | st.just(TOKEN + "0") | st.just(TOKEN.upper()))
def test_only_the_token_itself_matches(offered: str) -> None:
    guard = AccessGuard(TOKEN, "127.0.0.1", 8000)
    assert guard.token_matches(offered) is (offered == TOKEN)
    assert guard.token_matches(TOKEN)
    assert not guard.token_matches(None)


@settings(max_examples=300, deadline=None)
@given(
    header=st.text()
    | st.sampled_from(
        [
            "localhost:8000",
            "127.0.0.1",
            "127.0.0.1:80",
            "127.0.0.1:8000.",
            "evil.example:8000",
            "127.0.0.1.nip.io:8000",
            "[::1]:8000",
        ]
    )
)
def test_only_the_bound_address_passes_the_host_check(header: str) -> None:
    guard = AccessGuard(TOKEN, "127.0.0.1", 8000)
    assert guard.host_allowed(header) is (header.lower() == "127.0.0.1:8000")


@pytest.mark.parametrize(
    ("bound", "allowed", "refused"),
    [
        (
            "::1",
            ["[::1]:8000", "[::1]:8000".upper()],
            ["::1:8000", "[::1]", "[0:0:0:0:0:0:0:1]:8000", "127.0.0.1:8000", "localhost:8000", "[::1]:8000@evil"],
        ),
        (
            "localhost",
            ["localhost:8000", "LocalHost:8000"],
            ["127.0.0.1:8000", "localhost.evil.com:8000", "localhost:8000@evil", "localhost.:8000"],
        ),
    ],
)
def test_ipv6_and_name_binds_accept_only_their_own_host(bound: str, allowed: list[str], refused: list[str]) -> None:
    guard = AccessGuard(TOKEN, bound, 8000)
    assert all(guard.host_allowed(header) for header in allowed)
    assert not any(guard.host_allowed(header) for header in refused)


def test_bound_to_every_address_names_are_refused_but_ip_literals_pass() -> None:
    guard = AccessGuard(TOKEN, "0.0.0.0", 8000)
    assert guard.host_allowed("10.1.2.3:8000") and guard.host_allowed("[fe80::1]:8000")
    assert guard.host_allowed(f"{socket.gethostname()}:8000")
    assert not guard.host_allowed("attacker.example:8000")  # a DNS-rebinding name
    assert not guard.host_allowed("127.0.0.1.evil.com:8000") and not guard.host_allowed("localhost:8000@evil")
    assert not guard.host_allowed("2130706433:8000") and not guard.host_allowed("[::1]:8000@evil")
    assert not guard.host_allowed("10.1.2.3:8001")


# -- the command line -------------------------------------------------------------------
def test_bad_serve_arguments_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readable = tmp_path / "token"
    readable.write_text("a" * 32)
    readable.chmod(0o644)
    for argv in (
        ["serve", "--port", "0"],
        ["serve", "--max-sessions", "0"],
        ["serve", "--token-file", str(readable)],
        ["serve", str(tmp_path / "missing")],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("newsdesk: ") and err.count("\n") == 1, err


def test_serving_beyond_loopback_warns_and_still_needs_the_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    from newsdesk.tui.web.server import NewsdeskServer

    started: list[NewsdeskServer] = []

    def serve_once(self: NewsdeskServer, debug: bool = False) -> None:
        started.append(self)
        self.on_listening()

    monkeypatch.setattr(NewsdeskServer, "serve", serve_once)
    assert main(["serve", str(corpus), "--state-dir", str(tmp_path / "s"), "--host", "0.0.0.0", "--port", "8123"]) == 0
    out, err = capsys.readouterr()
    assert "warning: serving on 0.0.0.0:8123, beyond this machine" in err
    assert re.search(r"http://\S+:8123/\?token=[0-9a-f]{32}", out)
    (server,) = started
    assert server.guard.token_matches(re.search(r"token=([0-9a-f]{32})", out).group(1))
    assert not server.guard.token_matches("")


def test_with_a_token_file_the_token_is_not_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    from newsdesk.tui.web.server import NewsdeskServer

    monkeypatch.setattr(NewsdeskServer, "serve", lambda self, debug=False: self.on_listening())
    token_file = tmp_path / "token"
    assert main(["serve", str(corpus), "--state-dir", str(tmp_path / "s"), "--token-file", str(token_file)]) == 0
    out = capsys.readouterr().out
    assert token_file.read_text().strip() not in out
    assert f"?token=...  (the token is in {token_file})" in out


# -- the page -------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(
    name=st.text(min_size=1, max_size=60).filter(lambda n: "/" not in n and "\x00" not in n)
    | st.sampled_from(["<script>alert(1)</script>", "a&b", '"quoted"', "{{ 7*7 }}", "</title><h1>x"])
)
def test_the_page_title_is_the_corpus_name_escaped(name: str) -> None:
    from newsdesk.tui.web.server import NewsdeskServer

    server = NewsdeskServer(
        ["true"],
        host="127.0.0.1",
        port=8000,
        corpus_name=name,
        guard=AccessGuard(TOKEN, "127.0.0.1", 8000),
        max_sessions=1,
    )
    request = make_mocked_request("GET", "/", headers={"Host": "127.0.0.1:8000"})
    page = run(server.handle_index(request)).text
    (title,) = re.findall(r"<title>(.*?)</title>", page, re.DOTALL)
    assert html.unescape(title) == f"newsdesk — {display_path(name)}"  # controls and bidi as escapes
    assert "<" not in title and ">" not in title
