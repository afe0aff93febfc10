"""Red team on ``newsdesk serve``: paths, tokens, hostile requests and tabs."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import aiohttp
import pytest
from newsdesk.index import UsageError
from newsdesk.tui.cli import main

from tests.test_serve import newsdesk_serve, open_reader


def test_a_nosuchuser_path_in_serve_options_is_one_line_or_taken_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    """`serve --token-file '~nosuchuser/t'` (and `--state-dir '~nosuchuser/s'`) ended in a
    RuntimeError traceback from pathlib's expanduser; the rest of newsdesk takes such a path
    as written (a folder named `~nosuchuser` here), and so must serve."""
    from newsdesk.tui.web.server import NewsdeskServer

    started: list[NewsdeskServer] = []
    monkeypatch.setattr(NewsdeskServer, "serve", lambda self, debug=False: started.append(self))
    monkeypatch.chdir(tmp_path)
    assert main(["serve", str(corpus), "--state-dir", "s", "--token-file", "~nosuchuser/token"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsdesk: error: ~nosuchuser/token: cannot create the token file") and err.count("\n") == 1
    assert main(["serve", str(corpus), "--state-dir", "~nosuchuser/s", "--config", "~nosuchuser/c.yaml"]) == 2
    assert "config file not found" in capsys.readouterr().err
    assert main(["serve", str(corpus), "--state-dir", "~nosuchuser/s"]) == 0
    (server,) = started
    assert server.reader_argv[-2:] == ["--state-dir", str(tmp_path / "~nosuchuser" / "s")]
    (tmp_path / "~nosuchuser").mkdir(exist_ok=True)
    assert main(["serve", str(corpus), "--state-dir", "s", "--token-file", "~nosuchuser/token"]) == 0
    assert (tmp_path / "~nosuchuser" / "token").stat().st_mode & 0o777 == 0o600


def test_a_corpus_folder_whose_name_is_not_utf8_serves_its_page_and_reader(corpus: Path, tmp_path: Path) -> None:
    """A corpus folder named in Latin-1 (`caf\\xe9`, from an old archive) opens in a terminal,
    but under serve the undecodable byte (a lone surrogate) reached two UTF-8 encoders: the
    page's title (GET / was a 500) and the reader's status bar, whose first draw crashed the
    reader in the web driver (the tab showed "Session ended" at once, the traceback went to
    the server's stdout)."""
    named = tmp_path / os.fsdecode(b"caf\xe9 \x1b[31mnews")
    shutil.copytree(corpus, named)
    with newsdesk_serve(tmp_path, str(named), "--state-dir", str(tmp_path / "state")) as served:

        async def scenario() -> tuple[int, str, str]:
            async with aiohttp.ClientSession(headers={"Cookie": served.cookie_header}) as session:
                async with session.get(f"{served.origin}/") as response:
                    status, page = response.status, await response.text()
                tab = await open_reader(session, served)
                screen = await tab.wait_for("articles · indexed", timeout=120)
                await tab.websocket.close()
                return status, page, screen

        status, page, screen = asyncio.run(scenario())
        served.wait_idle()
        assert status == 200
        assert "<title>newsdesk — caf\\xe9 \\x1b[31mnews</title>" in page
        assert "\x1b" not in page
        assert "caf\\xe9 \\x1b[31mnews" in screen
        assert "Traceback" not in served.stderr()


def test_a_token_file_another_account_owns_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another account plants `token` (mode 0600, so the mode check passes) where serve will
    look for it: it knows the token, and reads and annotates as the user in the browser. Root
    reads any file; anyone else is refused the file by its mode, so the owner is what matters."""
    from newsdesk.tui.web.access import load_or_create_token

    planted = tmp_path / "token"
    planted.write_text("planted-by-someone-else-0123456789abcdef\n")
    planted.chmod(0o600)
    if os.geteuid() == 0:
        os.chown(planted, 65534, 65534)
    else:
        uid = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: uid + 1)
    with pytest.raises(UsageError, match="owned by another account"):
        load_or_create_token(planted)


def test_a_token_file_that_cannot_be_written_is_one_line_and_left_behind_by_no_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full disk while the new token file is written: a traceback, and an empty file left
    behind that every later start refused ("must hold one token") until removed by hand."""
    import errno

    from newsdesk.tui.web import access

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(access.os, "fsync", full)
    token_file = tmp_path / "token"
    assert main(["serve", "--token-file", str(token_file), "--port", "8000"]) == 2
    err = capsys.readouterr().err
    assert err == f"newsdesk: error: {token_file}: cannot create the token file: No space left on device\n"
    assert not token_file.exists()


def test_another_account_holding_connections_open_neither_locks_the_user_out_nor_floods_the_log(
    tmp_path: Path,
) -> None:
    """Another account on the machine needs no token to connect to 127.0.0.1:PORT. It opened
    connections and sent half a request on each, and kept them open (and reopened any that
    closed): the server ran out of file descriptors at its limit (1024 by default, 256 here),
    so the user's own tab could not connect at all, and asyncio logged a traceback for every
    refused accept (megabytes a second, until the disk was full)."""
    import resource
    import socket
    import threading
    import time

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"this test opens 1,500 connections; the file limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))  # the server starts with a small limit
    try:
        serving = newsdesk_serve(tmp_path, "--state-dir", str(tmp_path / "state"))
        served = serving.__enter__()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), hard))
    held: list[socket.socket] = []
    stop = threading.Event()

    def attack() -> None:
        while not stop.is_set():
            try:
                sock = socket.create_connection(("127.0.0.1", served.port), timeout=1)
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                held.append(sock)
            except OSError:
                time.sleep(0.01)
            if len(held) >= 1500:
                time.sleep(0.05)

    attacker = threading.Thread(target=attack, daemon=True)

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            before = await open_reader(session, served)  # the user's tab, open before the attack
            await before.ready()
            attacker.start()
            deadline = time.monotonic() + 60
            while len(held) < 1500 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert len(os.listdir(f"/proc/{served.process.pid}/fd")) < 1024 + 300  # the cap, not the file limit
            during = await asyncio.wait_for(open_reader(session, served), 30)  # a tab opened during it
            await during.wait_for("articles · indexed", timeout=60)
            assert not before.closed  # a connection that showed the token is never closed for the cap
            before.expect_new()
            await before.type("/", *"launch pad")
            await before.wait_for("2 results", timeout=60)
            for tab in (before, during):
                await tab.websocket.close()

    try:
        asyncio.run(scenario())
        err = served.stderr()
        assert "Traceback" not in err
        assert len(err) < 20_000, err[-2000:]
    finally:
        stop.set()
        attacker.join()
        for sock in held:
            sock.close()
        serving.__exit__(None, None, None)


@pytest.mark.xfail(
    strict=True,
    reason="the token's cookie is sent to every port of the host: cookies ignore ports, and "
    "SameSite counts 127.0.0.1:8001 as the same site. Not fixable while the token rides a cookie; "
    "a fix keeps it in sessionStorage (per origin, port included) and adds it to the websocket URL",
)
def test_a_page_on_another_port_of_the_same_host_is_never_sent_the_token(tmp_path: Path) -> None:
    """Another account on the machine serves a page on 127.0.0.1:OTHER and gets the user to
    open it (a link in a shared folder). The browser sends it the `newsdesk-token-PORT`
    cookie; that account then connects to 127.0.0.1:PORT with it (any Host and Origin a
    script likes) and reads and annotates as the user."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    import http.server
    import threading

    seen: list[str] = []

    class Snoop(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Cookie") or "")
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<title>shared reading list</title>")

        def log_message(self, *args: object) -> None:
            pass

    snoop = http.server.HTTPServer(("127.0.0.1", 0), Snoop)
    threading.Thread(target=snoop.serve_forever, daemon=True).start()
    try:
        with (
            newsdesk_serve(tmp_path, "--state-dir", str(tmp_path / "state")) as served,
            sync_api.sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page()
                page.goto(f"{served.origin}/?token={served.token}")
                assert page.url == f"{served.origin}/"
                page.goto(f"http://127.0.0.1:{snoop.server_address[1]}/")
            finally:
                browser.close()
    finally:
        snoop.shutdown()
        snoop.server_close()
    assert seen and not any(served.token in cookie for cookie in seen), seen


def test_a_note_typed_and_the_tab_closed_in_one_burst_is_saved_whole(tmp_path: Path) -> None:
    """Over a slow link the last keys and the tab's close arrive together: the server hung the
    reader up the moment the tab closed, before it had read the keys just relayed to it, and
    nothing typed was saved (a 50 ms pause before closing saved it all)."""
    import yaml

    from tests.test_serve_signals import _wait_gone

    state = tmp_path / "state"
    with newsdesk_serve(tmp_path, "--state-dir", str(state)) as served:

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                tab = await open_reader(session, served)
                await tab.ready()
                await tab.press("\r", "v Select")  # the article is open
                await tab.type("v", "s", "t")
                await tab.wait_for("Annotate")
                await tab.type(*"typed-then-closed-at-once")
                (reader,) = served.readers()
                await tab.websocket.close()  # at once: the keys and the close in one burst
                await asyncio.get_running_loop().run_in_executor(None, _wait_gone, reader)

        asyncio.run(scenario())
    saved = [yaml.safe_load(path.read_text()) for path in state.glob("annotations/*/*.yaml")]
    assert [annotation["tags"] for file in saved for annotation in file["annotations"]] == [
        ["typed-then-closed-at-once"]
    ]


def test_keys_typed_while_the_reader_starts_then_the_tab_closed_still_reach_it(tmp_path: Path) -> None:
    """A page opened, keys typed at once (the server holds them until the reader can take them)
    and the tab closed, all within the second or two the reader takes to start: the server
    hung the reader up with the keys still held, so they were dropped without a word. Here
    the keys are a search, which the reader keeps at a hang-up as a note being typed is."""
    import json as json_module

    state = tmp_path / "state"
    with newsdesk_serve(tmp_path, "--state-dir", str(state)) as served:

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                first = await open_reader(session, served)
                await first.ready()  # the corpus is indexed: the next reader starts at once
                await first.websocket.close()
                served.wait_idle()
                tab = await open_reader(session, served)
                await tab.type("/", *"launch pad")
                await tab.websocket.close()  # before the reader has drawn its screen

        asyncio.run(scenario())
        served.wait_idle()
    (ui_state,) = (tmp_path / "xdg-state").rglob("ui-state.json")
    corpora = json_module.loads(ui_state.read_text())["corpora"]
    assert [entry["query"] for entry in corpora.values()] == ["launch pad"]


def test_the_announcement_shows_the_corpus_name_as_display_path_does(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """serve printed an undecodable byte of the corpus name as ``\\udcfe`` where the page, the reader
    and every other command write ``\\xfe`` (its own escaping, a copy of display_path's that differed)."""
    from newsdesk.tui.web.server import NewsdeskServer

    named = tmp_path / os.fsdecode(b"caf\xfe \x1b[31mnews")
    shutil.copytree(corpus, named)
    monkeypatch.setattr(NewsdeskServer, "serve", lambda self, debug=False: self.on_listening())
    assert main(["serve", str(named), "--state-dir", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "the reader on caf\\xfe \\x1b[31mnews;" in out and "\x1b" not in out
