"""One reader process per browser tab, and how each one ends.

textual-serve's :class:`AppService` starts the reader through a shell and ends it
with a "quit" message, which drops whatever annotation is being typed. Here each
reader is started directly, in a session of its own (the terminal's Ctrl+C must
reach the server only), and is always ended with SIGHUP: the reader treats it as a
dropped connection and saves what is being typed first (see ``NewsdeskApp.hang_up``).
A reader that has not gone after :data:`HANGUP_GRACE` seconds is killed.

A tab's keys and resizes are held until the reader says it can take them (the
``newsdesk-ready`` meta packet, :mod:`newsdesk.tui.web.ready`), then replayed in
order: a key that reached the reader before its screen existed was lost, or
crashed it.

The reader's output is read until it exits, even once its tab has gone or is being
hung up: then it is dropped. A reader writing its screen to a pipe nobody reads
blocks, cannot act on SIGHUP, and would be killed with its typing unsaved (a tab
closed mid-output, or a stalled connection when the server is stopped).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import WSCloseCode, web
from newsdesk.tui.web.ready import READY_META
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

log = logging.getLogger("newsdesk.serve")

HANGUP_GRACE = 3.0
"""Seconds a reader has to save and exit after SIGHUP; with :data:`SHUTDOWN_INPUT_GRACE`, within
the 5 s a service manager is promised for a whole shutdown."""

INPUT_GRACE = 3.0
"""Seconds a reader has, when its tab goes, to act on the keys relayed just before (see
:meth:`ReaderSession._let_reader_take_its_keys`)."""

READY_GRACE = 10.0
"""Seconds a reader still starting when its tab goes has to become ready, when the tab typed
keys meanwhile (held by the server): they are given to it before it is hung up."""

SHUTDOWN_INPUT_GRACE = 1.0
""":data:`INPUT_GRACE` at shutdown: with :data:`HANGUP_GRACE`, within 5 s."""

INPUT_QUIET = 0.3
"""Seconds without output or CPU time, after drawing since the last key, that mean the reader
has acted on its keys."""

CLOSE_GRACE = 1.0
"""Seconds a tab has to answer the server's closing handshake at shutdown (a stalled
connection never does)."""

MAX_HELD_BYTES = 1 << 20
"""Input held for a reader still starting; beyond it (a paste of a megabyte before the
screen drew) the relay stops reading the tab until the reader is ready: the browser
keeps the rest, so nothing typed is dropped and nothing grows without bound."""


class ReaderSession(AppService):
    """One reader process, relayed over one browser websocket."""

    def __init__(
        self,
        argv: Sequence[str],
        websocket: web.WebSocketResponse,
        download_manager: DownloadManager,
        connection: asyncio.Transport | None = None,
    ) -> None:
        async def close_websocket() -> None:  # AppService wants a coroutine returning None
            await websocket.close()

        super().__init__(
            " ".join(argv),  # only shown in textual-serve's own log lines
            write_bytes=self._to_tab,
            write_str=self._to_tab,
            close=close_websocket,
            download_manager=download_manager,
        )
        self.argv = list(argv)
        self.websocket = websocket
        self.connection = connection
        """The tab's TCP connection, cut at shutdown if the tab does not answer."""
        self._tab_gone = False
        """Set once the tab has gone or the reader is being hung up: its output is dropped."""
        self._sending: asyncio.Future[None] | None = None
        self._stopping: asyncio.Future[None] | None = None
        self.ready = False
        """Whether the reader has said it takes keys; until then input is held."""
        self._held: list[bytes] = []
        self._held_bytes = 0
        self._last_input = 0.0
        """When (event-loop time) input was last written to the reader; 0 before any."""
        self._last_output = 0.0
        """When the reader last wrote output (a screen update); 0 before any."""
        self._ready_or_gone = asyncio.Event()
        """Set when the reader is ready for keys, or has ended without ever being ready."""

    @property
    def pid(self) -> int | None:
        """The reader's process id, once started."""
        return self._process.pid if self._process is not None else None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        # Overrides AppService's: exec the reader itself (no shell between us and the
        # process we signal), in a session of its own.
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def send_bytes(self, data: bytes) -> bool:
        """Send the tab's keys to the reader, or hold them until it is ready."""
        return await self._send_packet(self.encode_packet(b"D", data))

    async def send_meta(self, data: dict[str, str | int | bool | None]) -> bool:
        """Send a resize, focus or blur to the reader, or hold it until it is ready."""
        return await self._send_packet(self.encode_packet(b"M", json.dumps(data).encode("utf-8")))

    async def _send_packet(self, packet: bytes) -> bool:
        if not self.ready and self._held_bytes + len(packet) > MAX_HELD_BYTES:
            await self._ready_or_gone.wait()  # back-pressure: the tab's further input waits in the browser
        if not self.ready:
            if self._ready_or_gone.is_set():
                return False  # the reader ended before it could take keys
            self._held.append(packet)
            self._held_bytes += len(packet)
            return True
        return await self._write(packet)

    async def _write(self, packet: bytes) -> bool:
        if self._stdin is None:
            return False
        self._last_input = asyncio.get_running_loop().time()  # before any await: the held keys, at ready
        try:
            self._stdin.write(packet)
        except RuntimeError:
            return False
        try:
            await self._stdin.drain()
        except (ConnectionError, RuntimeError):  # the reader has gone
            return False
        self._last_input = asyncio.get_running_loop().time()
        return True

    async def _to_tab(self, message: bytes | str) -> None:
        """Send the reader's output to the tab, or drop it once the tab is gone (never raise:
        the relay must go on reading the reader's output until the reader ends)."""
        self._last_output = asyncio.get_running_loop().time()
        if self._tab_gone or self.websocket.closed:
            return
        send = self.websocket.send_bytes(message) if isinstance(message, bytes) else self.websocket.send_str(message)
        self._sending = sending = asyncio.ensure_future(send)
        try:
            await asyncio.wait({sending})  # returns, not raises, when _hang_up cancels the send
        finally:
            self._sending = None
            if not sending.done():  # the relay itself was cancelled
                sending.cancel()
        if sending.cancelled():
            return
        error = sending.exception()
        if isinstance(error, (ConnectionError, RuntimeError)):
            self._tab_gone = True  # closed under us; the next output is dropped at once
        elif error is not None:
            raise error

    def _drop_output(self) -> None:
        """From now on drop the reader's output, and give up a send the tab is not taking."""
        self._tab_gone = True
        if self._sending is not None:
            self._sending.cancel()

    async def on_meta(self, data: bytes) -> None:
        """The reader's meta packets: "ready" releases the held input, in order; others as textual-serve."""
        try:
            kind = json.loads(data).get("type")
        except (ValueError, AttributeError):
            return
        if kind != READY_META:
            await super().on_meta(data)
            return
        if self.ready:
            return
        held, self._held, self._held_bytes = b"".join(self._held), [], 0
        self.ready = True  # set before the first await: input arriving meanwhile queues behind it
        self._ready_or_gone.set()  # waiters write after the held input (written before any await)
        if held:
            await self._write(held)

    async def run(self) -> None:
        """Relay the reader's screen until it ends, then close the browser's websocket
        (a reader that fails or is killed sends no "exit" of its own)."""
        try:
            await super().run()
        finally:
            self._ready_or_gone.set()  # input waiting for a reader that has ended: let it go
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.websocket.close()

    async def stop(self, *, patient: bool = True) -> None:
        """End the reader as a dropped connection would: SIGHUP, then SIGKILL if it lingers.

        Runs once however often it is called, and runs to the end even if the caller is
        cancelled (a server shutting down must not leave a reader behind). ``patient``: the
        reader gets :data:`INPUT_GRACE` s to act on the keys relayed last, not the
        :data:`SHUTDOWN_INPUT_GRACE` s of a shutdown (which has 5 s in all), and one still
        starting with keys held for it first gets :data:`READY_GRACE` s to take them.
        """
        if self._process is None:
            return  # still starting: SessionRegistry.run stops it once it has started
        if self._stopping is None:
            graces = (READY_GRACE, INPUT_GRACE) if patient else (0.0, SHUTDOWN_INPUT_GRACE)
            self._stopping = asyncio.ensure_future(self._hang_up(*graces))
        await asyncio.shield(self._stopping)

    async def _let_reader_take_its_keys(self, ready_grace: float, input_grace: float) -> None:
        """Wait (at most ``input_grace`` s) until the reader has acted on the keys relayed last.

        Over a slow link a tab's last keys and its close arrive together. SIGHUP sent at once
        overtook the keys still in the reader's input: the note being typed was saved without
        them, or not at all. The reader draws after acting on keys; once it has drawn since
        the last of them and then neither drawn nor used CPU time for :data:`INPUT_QUIET` s,
        it has taken them (an article being opened draws nothing for a while, but works).
        A reader still starting, with keys held for it, first gets ``ready_grace`` s to
        become ready and be given them (keys typed as the page opened, then the tab closed).
        """
        if not self.ready:
            if not self._held or ready_grace <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready_or_gone.wait(), ready_grace)
            if not self.ready:
                return  # it ended, or never became ready
        loop = asyncio.get_running_loop()
        deadline = loop.time() + input_grace
        cpu, cpu_since = _cpu_time(self.pid), loop.time()
        while (now := loop.time()) < deadline and now - self._last_input < input_grace:
            if (used := _cpu_time(self.pid)) != cpu:
                cpu, cpu_since = used, now
            drawn = self._last_output > self._last_input
            if drawn and now - self._last_output >= INPUT_QUIET and now - cpu_since >= INPUT_QUIET:
                return
            await asyncio.sleep(0.02)

    async def _hang_up(self, ready_grace: float, input_grace: float) -> None:
        task, process = self._task, self._process
        assert process is not None
        self._drop_output()  # the reader must not be left blocked writing to a stalled tab
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        if process.returncode is None:
            await self._let_reader_take_its_keys(ready_grace, input_grace)
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGHUP)
            try:
                await asyncio.wait_for(process.wait(), HANGUP_GRACE)
            except TimeoutError:
                log.warning("reader %s did not exit %.0f s after SIGHUP; killed", process.pid, HANGUP_GRACE)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)  # its session: any helper it started too
                await process.wait()
        if task is None:
            return
        # The relay ends at the reader's end of output; a helper that inherited the pipe
        # and outlives the reader must not hold the shutdown. asyncio.wait, not wait_for:
        # how the relay ended (aiohttp ends a close on a cut connection with
        # CancelledError) is not this stop's own outcome.
        done, _pending = await asyncio.wait({task}, timeout=1.0)
        if not done:
            log.warning("reader %s exited but its output stayed open; stopped relaying it", process.pid)
            task.cancel()
        elif not task.cancelled() and task.exception() is not None:
            log.warning("reader %s: relaying its output failed: %s", process.pid, task.exception())


def _cpu_time(pid: int | None) -> int | None:
    """The CPU time ``pid`` has used, in clock ticks (Linux's /proc); None where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


@dataclass
class SessionRegistry:
    """The running sessions, a cap on their number, and stopping them all at shutdown."""

    limit: int
    sessions: set[ReaderSession] = field(default_factory=set)
    closing: bool = False
    _done: dict[ReaderSession, asyncio.Event] = field(default_factory=dict)

    def full(self) -> bool:
        """Whether a new session must be refused (at the cap, or shutting down)."""
        return self.closing or len(self.sessions) >= self.limit

    async def run(
        self, session: ReaderSession, width: int, height: int, relay: Callable[[ReaderSession], Awaitable[None]]
    ) -> None:
        """Start ``session``, relay browser messages with ``relay`` until the tab goes, stop it."""
        self.sessions.add(session)
        done = self._done[session] = asyncio.Event()
        try:
            await session.start(width, height)
            log.info("reader pid %s started (%d running)", session.pid, len(self.sessions))
            if not self.closing:  # a shutdown that began while the reader started: no relay
                await relay(session)
        finally:
            await session.stop()
            self.sessions.discard(session)
            del self._done[session]
            done.set()
            log.info("reader pid %s ended (%d running)", session.pid, len(self.sessions))

    async def stop_all(self) -> None:
        """Refuse new sessions, end every reader at once (SIGHUP: each saves its work), and
        wait for every session, even one still starting, to be over."""
        self.closing = True
        sessions, waits = list(self.sessions), [event.wait() for event in self._done.values()]
        await asyncio.gather(*(session.stop(patient=False) for session in sessions), return_exceptions=True)
        await asyncio.gather(*(_close_tab(session) for session in sessions), return_exceptions=True)
        try:
            await asyncio.wait_for(asyncio.gather(*waits), HANGUP_GRACE + 2)
        except TimeoutError:
            log.warning("some sessions had not ended %.0f s after the stop", HANGUP_GRACE + 2)


async def _close_tab(session: ReaderSession) -> None:
    """Tell a tab the server is going. A tab that does not answer within :data:`CLOSE_GRACE`
    (a stalled connection) has its connection cut: a plain close would wait for the unsent
    output to drain first, for ever, and its relay with it."""
    websocket = session.websocket
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(websocket.close(code=1001, message=b"server shutting down"), CLOSE_GRACE)
    if websocket.close_code in (None, WSCloseCode.ABNORMAL_CLOSURE) and session.connection is not None:
        log.warning("reader %s: its tab did not answer the close; connection cut", session.pid)
        session.connection.abort()
