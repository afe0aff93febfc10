"""``newsdesk serve`` over real HTTP and websockets: who gets in, and what the page loads.

One real server (a process on a loopback port) for the module; each check is a raw
request with exactly the headers an attacker or a browser would send.
"""

from __future__ import annotations

import asyncio
import http.client
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import aiohttp
import pytest

from tests.test_serve import ReaderSocket, Served, newsdesk_serve, open_reader

CORPUS_NAME = 'news <&> "desk"'


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("serve-http")
    corpus = root / CORPUS_NAME
    corpus.mkdir()
    (corpus / "geneva.txt").write_text("Ceasefire talks resume in Geneva\n\nForeign ministers met in Geneva.\n")
    with newsdesk_serve(root, str(corpus), "--state-dir", str(root / "state"), "--max-sessions", "2") as server:
        yield server


def get(served: Served, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """A GET with exactly ``headers`` (Host defaults to the bound address)."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    headers = {"Host": f"127.0.0.1:{served.port}", **(headers or {})}
    for name, value in headers.items():
        if value is not None:
            connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def upgrade(served: Served, path: str = "/ws", **headers: str) -> int:
    """The status of a websocket upgrade request with ``headers``."""
    return get(
        served,
        path,
        {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            **headers,
        },
    ).status


PATHS = ["/", "/ws", "/static/js/textual.js", "/newsdesk-static/newsdesk.js", "/download/x", "/nothing-here"]


@pytest.mark.parametrize("path", PATHS)
def test_without_the_token_every_request_is_refused(served: Served, path: str) -> None:
    response = get(served, path)
    assert response.status == 403
    assert b"?token=" in response.body  # the refusal says what to do
    assert get(served, path, {"Cookie": f"newsdesk-token-{served.port}=" + "0" * 32}).status == 403
    assert get(served, path + ("&" if "?" in path else "?") + "token=" + "0" * 32).status == 403
    assert get(served, path + "?token=").status == 403
    assert get(served, path, {"Cookie": f"newsdesk-token-{served.port + 1}={served.token}"}).status == 403


def test_the_token_sets_a_strict_cookie_and_leaves_the_url(served: Served) -> None:
    response = get(served, f"/?fontsize=14&token={served.token}")
    assert response.status == 303
    assert response.headers["Location"] == "/?fontsize=14"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"newsdesk-token-{served.port}={served.token};")
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert attributes.keys() >= {"httponly", "samesite", "path"}
    assert attributes["samesite"] == "SameSite=Strict" and attributes["path"] == "Path=/"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # A path of the request's own is not followed: "//elsewhere" would be another host.
    assert get(served, f"//evil.example/?token={served.token}").headers["Location"] == "/"


def test_with_the_cookie_the_page_and_its_assets_load_from_this_server_only(served: Served) -> None:
    cookie = {"Cookie": f"newsdesk-token-{served.port}={served.token}"}
    response = get(served, "/", cookie)
    assert response.status == 200
    page = response.body.decode()
    assert "<title>newsdesk — news &lt;&amp;&gt; &#34;desk&#34;</title>" in page
    assert "fonts.googleapis" not in page
    urls = re.findall(r'(?:href|src)="([^"]+)"', page)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls)
    assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page
    for url in urls:
        assert get(served, url, cookie).status == 200, url
    css = get(served, "/newsdesk-static/newsdesk.css", cookie).body.decode()
    font_urls = re.findall(r'url\("([^"]+)"\)', css)
    assert font_urls and all(not re.match(r"\w+:", url) and not url.startswith("//") for url in font_urls)
    for url in font_urls:
        assert get(served, urljoin("/newsdesk-static/newsdesk.css", url), cookie).status == 200, url
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",
        "localhost:{port}",
        "127.0.0.1.nip.io:{port}",
        "127.0.0.1:{other}",
        "127.0.0.1",
        "",
        "127.0.0.1.evil.com:{port}",
        "localhost:{port}@evil",
        "127.0.0.1:{port}@evil.com",
        "user@127.0.0.1:{port}",
        "[::1]:{port}",
        "127.0.0.1.:{port}",
        "127.000.0.1:{port}",
        "127.0.0.1:0{port}",
        "LOCALHOST:{port}",
        "0x7f000001:{port}",
        "2130706433:{port}",
    ],
)
def test_another_host_header_is_refused_even_with_the_token(served: Served, host: str) -> None:
    """DNS rebinding: the attacker's name resolves to 127.0.0.1, so Host is the only tell."""
    host = host.format(port=served.port, other=served.port + 1)
    cookie = f"newsdesk-token-{served.port}={served.token}"
    assert get(served, "/", {"Host": host, "Cookie": cookie}).status == 403
    assert get(served, f"/?token={served.token}", {"Host": host}).status == 403
    assert upgrade(served, Host=host, Origin=f"http://{host}", Cookie=cookie) == 403


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "http://127.0.0.1:{other}",
        "https://127.0.0.1:{port}",
        "null",
        "http://localhost:{port}",
        None,
    ],
)
def test_a_websocket_from_another_origin_is_refused(served: Served, origin: str | None) -> None:
    cookie = f"newsdesk-token-{served.port}={served.token}"
    headers = {"Cookie": cookie}
    if origin is not None:
        headers["Origin"] = origin.format(port=served.port, other=served.port + 1)
    assert upgrade(served, **headers) == 403
    assert upgrade(served, f"/ws?token={served.token}", **{k: v for k, v in headers.items() if k != "Cookie"}) == 403


def test_a_websocket_without_or_with_a_wrong_token_is_refused(served: Served) -> None:
    origin = served.origin
    assert upgrade(served, Origin=origin) == 403
    assert upgrade(served, "/ws?token=" + "f" * 32, Origin=origin) == 403
    assert upgrade(served, Origin=origin, Cookie=f"newsdesk-token-{served.port}={served.token[:-1]}") == 403


def test_a_websocket_with_the_cookie_and_the_served_origin_runs_a_reader(served: Served) -> None:
    served.wait_idle()  # --max-sessions 2: earlier tests' readers must have ended

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            reader = await open_reader(session, served)
            await reader.ready()
            await reader.type("/", *"Geneva")
            shown = await reader.wait_for("Ceasefire talks resume in Geneva")
            assert "1 result" in shown or "Ceasefire" in shown
            await reader.websocket.close()

    asyncio.run(scenario())
    assert upgrade(served, f"/ws?token={served.token}", Origin=served.origin) == 101


def test_more_tabs_than_max_sessions_get_a_message_not_a_reader(served: Served) -> None:
    served.wait_idle()  # the readers of earlier tests have ended

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            first = await open_reader(session, served)
            second = await open_reader(session, served)
            third = await open_reader(session, served)
            await third.wait_for("2 sessions are open, the most it runs at once")
            await third.wait_closed()
            await first.ready()
            await second.ready()
            assert len(served.readers()) == 2
            for reader in (first, second):
                await reader.websocket.close()

    asyncio.run(scenario())


def test_many_refused_connections_start_no_reader(served: Served) -> None:
    served.wait_idle()
    before = served.readers()
    for _ in range(50):
        assert upgrade(served, Origin="http://evil.example") == 403
        assert upgrade(served, Origin=served.origin) == 403
    assert served.readers() == before == []


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/newsdesk-static/../web/access.py",
        "/newsdesk-static/%2e%2e/access.py",
        "/static/..%2f..%2fserver.py",
        "/static/",
        "/newsdesk-static/",
        "/static/%252e%252e/%252e%252e/server.py",
        "/static/..\\..\\server.py",
        "/newsdesk-static/%2E%2E/server.py",
        "/newsdesk-static/..%5cserver.py",
        "/static/fonts/../../../web/server.py",
        "/static//etc/passwd",
        "/static/%00",
        "/static/js/textual.js%00.html",
        "/download/..%2f..%2fetc%2fpasswd",
    ],
)
def test_static_files_stay_in_their_folders(served: Served, path: str) -> None:
    response = get(served, path, {"Cookie": f"newsdesk-token-{served.port}={served.token}"})
    assert response.status in (403, 404)
    assert b"root:" not in response.body and b"import" not in response.body


def _raw_status(served: Served, request: str) -> int:
    """The status of a request written byte for byte (headers http.client would not send twice)."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
        sock.sendall(request.encode())
        return int(sock.recv(4096).split(b" ", 2)[1])


def test_a_second_host_or_origin_header_does_not_smuggle_a_request_in(served: Served) -> None:
    port, cookie = served.port, f"newsdesk-token-{served.port}={served.token}"
    for first, second in ((f"127.0.0.1:{port}", "evil.example"), ("evil.example", f"127.0.0.1:{port}")):
        assert _raw_status(
            served, f"GET / HTTP/1.1\r\nHost: {first}\r\nHost: {second}\r\nCookie: {cookie}\r\n\r\n"
        ) in (400, 403)
    upgrade_headers = (
        "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    )
    for first, second in (("http://evil.example", served.origin), (served.origin, "http://evil.example")):
        assert _raw_status(
            served,
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {first}\r\n"
            f"Origin: {second}\r\n{upgrade_headers}Cookie: {cookie}\r\n\r\n",
        ) in (400, 403)
    # HTTP/1.0 without a Host header names no address at all.
    assert _raw_status(served, f"GET / HTTP/1.0\r\nCookie: {cookie}\r\n\r\n") == 403
    assert "Traceback" not in served.stderr()  # anyone can send these: one log line each


def test_a_token_in_the_url_and_a_different_cookie_the_url_decides(served: Served) -> None:
    wrong = "0" * 32
    right_cookie, wrong_cookie = (f"newsdesk-token-{served.port}={token}" for token in (served.token, wrong))
    # The right token in the URL replaces a stale cookie; a wrong one is refused whatever the cookie says.
    response = get(served, f"/?token={served.token}", {"Cookie": wrong_cookie})
    assert response.status == 303 and response.headers["Set-Cookie"].startswith(right_cookie + ";")
    assert get(served, f"/?token={wrong}", {"Cookie": right_cookie}).status == 403
    assert get(served, f"/?token={wrong}&token={served.token}").status == 403  # the first one counts
    assert upgrade(served, f"/ws?token={wrong}", Origin=served.origin, Cookie=right_cookie) == 403


def test_the_token_never_reaches_the_server_log(served: Served) -> None:
    get(served, f"/?token={served.token}")
    get(served, "/?token=wrong")
    assert served.token not in served.stderr()


def test_malformed_websocket_messages_are_ignored(served: Served) -> None:
    served.wait_idle()  # --max-sessions 2: earlier tests' readers must have ended

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            reader: ReaderSocket = await open_reader(session, served)
            await reader.ready()
            for junk in (
                "not json",
                "[]",
                "{}",
                '["stdin"]',
                '["stdin", 5]',
                '["resize", "x"]',
                '["resize", {"width": 99999999, "height": -5}]',
                '["stdin", "\\ud800"]',
                "[null]",
                "[" * 200_000,  # nested past Python's recursion limit: once ended the tab's reader
            ):
                await reader.websocket.send_str(junk)
            await reader.websocket.send_bytes(b"\x00\xff")
            # The junk resize left a terminal one row high: back to a usable size, as a page would.
            await reader.websocket.send_str('["resize", {"width": 120, "height": 35}]')
            reader.expect_new()
            await reader.type("/", *"Geneva")
            await reader.wait_for("Ceasefire talks resume in Geneva")
            await reader.websocket.close()

    asyncio.run(scenario())
    assert "Traceback" not in served.stderr()


def test_the_page_path_is_checked_before_anything_is_served(served: Served, tmp_path: Path) -> None:
    """A HEAD or OPTIONS request without the token learns nothing either."""
    for method in ("HEAD", "OPTIONS", "POST"):
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        connection.request(method, "/static/js/textual.js", headers={"Host": f"127.0.0.1:{served.port}"})
        assert connection.getresponse().status == 403
        connection.close()
