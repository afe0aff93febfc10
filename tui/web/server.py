"""The web server behind ``newsdesk serve``: textual-serve's, guarded and self-contained.

:class:`NewsdeskServer` keeps textual-serve's protocol (its ``textual.js`` page
client, its websocket messages, its download route) and changes what textual-serve
leaves open: every request passes :class:`AccessGuard`; the page is our own template
that loads nothing from another host; each reader is a :class:`ReaderSession` ended
with SIGHUP; SIGTERM and SIGINT end every reader (each saving what is being typed)
and then the server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2
import textual_serve
from aiohttp import WSMsgType, web
from newsdesk.index import UsageError, display_path
from newsdesk.tui.web.access import (
    MAX_CONNECTIONS,
    AccessGuard,
    ConnectionCap,
    raise_file_limit,
    secure_headers,
)
from newsdesk.tui.web.sessions import ReaderSession, SessionRegistry
from textual_serve.server import Server, to_int

log = logging.getLogger("newsdesk.serve")

HERE = Path(__file__).resolve().parent
VENDOR_STATIC = Path(textual_serve.__file__).resolve().parent / "static"
"""textual-serve's own assets: textual.js, xterm.css, the Roboto Mono fonts, the background."""

MAX_TERMINAL_CELLS = 1000
"""Columns or rows a browser may ask for: a larger terminal only costs the reader memory."""

ERROR_REPEAT = 60.0
"""Seconds before the same event-loop error is logged again."""

KEEPALIVE_TIMEOUT = 30.0
"""Seconds a connection may stay open with no request in progress (aiohttp's default is an hour)."""

FULL_MESSAGE = "newsdesk serve: {limit} sessions are open, the most it runs at once. Close a tab and reload.\r\n"


def one_line(record: logging.LogRecord) -> bool:
    """A logging filter that turns a record's traceback into ``: ExceptionType: first line``."""
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        record.msg = f"{record.getMessage()}: {type(error).__name__}: {first}".replace("%", "%%")
        record.args = ()
        record.exc_info = None
        record.exc_text = None
    return True


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def keys_from_browser(data: str) -> bytes:
    """The bytes a browser's ``stdin`` text types into the reader.

    A lone surrogate (malformed input; JSON can carry one) becomes U+FFFD, a character no
    key is bound to. Passed on it would stop the reader's input decoder for good; encoded
    with "replace" it became a "?" keystroke that opened the help screen mid-typing; dropped
    it could join what was around it into another key (ESC, surrogate, "[A" made Up).
    """
    return _LONE_SURROGATE.sub("\ufffd", data).encode("utf-8")


class _OneLineErrors:
    """The event loop's error handler: one line, and at most one a minute for the same error.

    asyncio logged a traceback for every connection it could not accept for want of file
    descriptors, a hundred a second for as long as the cause lasted (the log filled the disk).
    """

    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        message = str(context.get("message") or "unexpected error")
        error = context.get("exception")
        now = loop.time()
        if now - self._last.get(message, -ERROR_REPEAT) < ERROR_REPEAT:
            return
        self._last[message] = now
        if isinstance(error, BaseException):
            message = f"{message}: {type(error).__name__}: {error}"
        log.warning("%s", message)


class NewsdeskServer(Server):
    """textual-serve's Server with token auth, Host and Origin checks, local assets and a clean stop."""

    def __init__(
        self,
        reader_argv: Sequence[str],
        *,
        host: str,
        port: int,
        corpus_name: str,
        guard: AccessGuard,
        max_sessions: int,
        on_listening: Callable[[], None] = lambda: None,
    ) -> None:
        # As every path is shown: an undecodable byte of the folder's name (a lone surrogate,
        # which no UTF-8 page can carry) or a control character as an escape.
        corpus_name = display_path(corpus_name)
        super().__init__(" ".join(reader_argv), host=host, port=port, title=f"newsdesk — {corpus_name}")
        self.reader_argv = list(reader_argv)
        self.corpus_name = corpus_name
        self.guard = guard
        self.registry = SessionRegistry(limit=max_sessions)
        self.connections = ConnectionCap(MAX_CONNECTIONS)
        self.on_listening = on_listening
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
        )

    def initialize_logging(self) -> None:
        """One plain line per event on stderr (textual-serve's default logs every request, token included)."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("newsdesk serve: %(message)s"))
        for name in ("newsdesk.serve", "textual-serve", "aiohttp.server"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.INFO)
            logger.propagate = False
        # A malformed request (two Host headers, say) is anyone's to send: one line, no traceback.
        logging.getLogger("aiohttp.server").addFilter(one_line)

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard.middleware, self.connections.middleware])
        app.on_response_prepare.append(secure_headers)
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                # aiohttp's static routes resolve each path and refuse any outside the folder.
                web.static("/static", VENDOR_STATIC, name="static"),
                web.static("/newsdesk-static", HERE / "static", name="newsdesk-static"),
            ]
        )
        return app

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        """The page: textual-serve's client, every asset from this server, titled with the corpus."""
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 6), 64)
        page = self.templates.get_template("index.html").render(
            corpus_name=self.corpus_name,
            vendor_url="/static/",
            own_url="/newsdesk-static/",
            # The guard has checked that Host is the bound address: the websocket goes back to it.
            websocket_url=f"ws://{request.host}/ws",
            font_size=font_size,
        )
        return web.Response(text=page, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One reader per websocket, while fewer than ``max_sessions`` run."""
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        if self.registry.full():
            if not self.registry.closing:
                await websocket.send_bytes(FULL_MESSAGE.format(limit=self.registry.limit).encode())
            await websocket.close(code=1013, message=b"too many sessions")
            return websocket
        width = min(max(to_int(request.query.get("width", "80"), 80), 1), MAX_TERMINAL_CELLS)
        height = min(max(to_int(request.query.get("height", "24"), 24), 1), MAX_TERMINAL_CELLS)
        session = ReaderSession(self.reader_argv, websocket, self.download_manager, connection=request.transport)
        try:
            await self.registry.run(session, width, height, self._relay)
        except (ConnectionError, OSError) as exc:
            log.warning("session ended: %s", exc)
        return websocket

    async def _relay(self, session: ReaderSession) -> None:
        """Pass the browser's keys and resizes to the reader; ignore anything malformed."""
        async for message in session.websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            except (ValueError, TypeError, KeyError, IndexError, RecursionError):
                continue  # (RecursionError: JSON nested 200,000 deep, found by the red team)
            if kind == "stdin" and isinstance(data, str):
                await session.send_bytes(keys_from_browser(data))
            elif kind == "resize" and isinstance(data, dict):
                width = min(max(to_int(str(data.get("width", 80)), 80), 1), MAX_TERMINAL_CELLS)
                height = min(max(to_int(str(data.get("height", 24)), 24), 1), MAX_TERMINAL_CELLS)
                await session.set_terminal_size(width, height)
            elif kind == "ping":
                await session.websocket.send_json(["pong", data])
            elif kind == "blur":
                await session.blur()
            elif kind == "focus":
                await session.focus()

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGTERM or SIGINT, then end every reader (each saving its work) and return."""
        self.initialize_logging()
        asyncio.run(self.run())

    async def run(self) -> None:
        """Listen, wait for SIGTERM/SIGINT, stop the readers, close."""
        self.connections = ConnectionCap.for_file_limit(raise_file_limit())
        runner = web.AppRunner(
            await self._make_app(),
            access_log=None,
            handle_signals=False,
            shutdown_timeout=1.0,
            keepalive_timeout=KEEPALIVE_TIMEOUT,
        )
        await runner.setup()
        assert runner.server is not None
        self.connections.watch(runner.server)
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise UsageError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_OneLineErrors())
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        self.on_listening()
        try:
            await stop.wait()
            log.info("stopping: ending %d reader(s), each saving what is being typed", len(self.registry.sessions))
            await self.registry.stop_all()
        finally:
            await runner.cleanup()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
        log.info("stopped")
