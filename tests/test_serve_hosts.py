"""``--host`` written another way than a browser writes it: the page must still open.

A browser normalises the address in a URL before sending ``Host`` and ``Origin``
(``[0:0:0:0:0:0:0:1]`` becomes ``[::1]``, ``127.1`` becomes ``127.0.0.1``), so the server
compares against that form, and prints it.
"""

from __future__ import annotations

import http.client
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.tui.serve import served_url
from newsdesk.tui.web.access import AccessGuard, canonical_host, is_loopback
from newsdesk.tui.web.server import keys_from_browser

from tests.test_serve import newsdesk_serve


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("0:0:0:0:0:0:0:1", "::1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("::FFFF:127.0.0.1", "::ffff:7f00:1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("127.000.0.1", "127.0.0.1"),
        ("127.0.0.1", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("Example.ORG", "example.org"),
        ("0.0.0.0", "0.0.0.0"),
        ("::", "::"),
        ("", ""),
        ("08", "08"),
        ("1.2.3.4.5", "1.2.3.4.5"),
    ],
)
def test_an_address_is_put_in_the_form_a_browser_sends(typed: str, sent: str) -> None:
    assert canonical_host(typed) == sent


@settings(max_examples=200, deadline=None)
@given(st.text() | st.from_regex(r"\[?[0-9a-fA-Fx:.]{1,40}\]?", fullmatch=True))
def test_canonical_form_never_fails_and_is_stable(typed: str) -> None:
    once = canonical_host(typed)
    assert canonical_host(once) == once


def test_a_long_form_loopback_address_counts_as_loopback_and_its_page_passes_the_host_check() -> None:
    for typed, header in (("0:0:0:0:0:0:0:1", "[::1]:8000"), ("127.1", "127.0.0.1:8000")):
        host = canonical_host(typed)
        assert is_loopback(host)
        assert AccessGuard("a" * 32, host, 8000).host_allowed(header)
        assert served_url(host, 8000) == f"http://{header}/"


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_serving_on_a_long_form_ipv6_loopback_prints_and_accepts_the_browser_form(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::1", 0))
        port = sock.getsockname()[1]
    with newsdesk_serve(
        tmp_path, "--host", "0:0:0:0:0:0:0:1", "--state-dir", str(tmp_path / "state"), port=port
    ) as served:
        connection = http.client.HTTPConnection("::1", port, timeout=30)
        connection.request("GET", f"/?token={served.token}", headers={"Host": f"[::1]:{port}"})
        response = connection.getresponse()
        assert response.status == 303  # to the page, with the cookie: not 403
        connection.close()
        assert "beyond this machine" not in served.stderr()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=())))  # surrogates included
def test_text_from_the_page_types_itself_and_nothing_else(data: str) -> None:
    """Whatever text a page sends as stdin, the reader gets it as valid UTF-8, each lone surrogate as U+FFFD.

    A lone surrogate once became "?" and opened the help screen mid-typing; dropped, it could
    join its neighbours into another key.
    """
    typed = keys_from_browser(data)
    assert typed.decode("utf-8") == "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in data)


def test_a_lone_surrogate_types_no_key() -> None:
    assert keys_from_browser("a\ud800b") == "a\ufffdb".encode()
    assert keys_from_browser("\x1b\ud800[A") == "\x1b\ufffd[A".encode()  # not ESC [ A, the Up key
    assert keys_from_browser("\U0001f600") == "\U0001f600".encode()
