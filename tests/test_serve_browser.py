"""``newsdesk serve`` in a real browser: headless Chromium opens the tokened URL, types a
search, sees a hit, and nothing it loads comes from another host."""

from __future__ import annotations

import ipaddress
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.test_serve import newsdesk_serve

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it when run as root)"
)

# textual.js keeps its xterm.js Terminal in a closure; this init script (test-only) catches
# it when the page assigns it, so the test reads the screen xterm.js actually shows.
CATCH_TERMINAL = """
window.__terminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer) window.__terminals.push(value);
  },
});
"""
SCREEN = """() => {
  const terminal = window.__terminals[0];
  if (!terminal) return "";
  const buffer = terminal.buffer.active, rows = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join(String.fromCharCode(10));
}"""


SEND_WHILE_CONNECTING = """(url) => new Promise((resolve, reject) => {
  const socket = new WebSocket(url);
  socket.onmessage = (event) => {
    if (typeof event.data === "string") { resolve(JSON.parse(event.data)); socket.close(); }
  };
  socket.onclose = () => reject(new Error("closed before the pong"));
  socket.send(JSON.stringify(["ping", "early"]));  // still CONNECTING: throws without the page's queue
})"""


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if url.startswith(("data:", "about:", "blob:")):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def test_a_browser_opens_the_tokened_url_and_finds_an_article(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with (
        newsdesk_serve(tmp_path, "--state-dir", str(tmp_path / "state")) as served,
        sync_api.sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.on("websocket", lambda websocket: requested.append(websocket.url))
            errors: list[str] = []  # a key sent on a still-connecting websocket throws here
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.add_init_script(CATCH_TERMINAL)
            page.goto(f"{served.origin}/?token={served.token}")
            assert page.url == f"{served.origin}/"  # the token has left the address bar
            assert page.title() == "newsdesk — demo_corpus"
            # A person typing the moment the page is there: the reader may still be starting
            # (the server holds the keys until it can take them).
            page.focus(".xterm-helper-textarea")  # as a click on the page does
            page.keyboard.press("/")
            page.keyboard.type("launch pad")  # one burst
            screen = _wait_for(page, "2 results")
            assert "Moscow spy chief warns" in screen
            assert errors == []
            # textual.js may send a key before its websocket has opened; the page queues it.
            assert page.evaluate(SEND_WHILE_CONNECTING, f"ws://127.0.0.1:{served.port}/ws") == ["pong", "early"]
            cookies = page.context.cookies()
            assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [
                (f"newsdesk-token-{served.port}", True, "Strict")
            ]
        finally:
            browser.close()
    assert requested, "the browser made no request"
    assert any(url.startswith("ws://") for url in requested)
    assert any("/static/fonts/" in url for url in requested)  # the font comes from this server
    outside = [url for url in requested if not _is_loopback_url(url)]
    assert outside == []


def _wait_for(page: object, text: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = page.evaluate(SCREEN)  # type: ignore[attr-defined]
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never shown; screen:\n{screen}")
