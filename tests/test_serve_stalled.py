"""A tab that goes away, or stops reading, while its reader is drawing: the reader still
gets to save what is being typed when it is hung up, and the server still stops. And a
tab that types more than the server holds for a reader still starting loses nothing.

The reader writes its screen to a pipe the server reads. If the server stopped reading
it (the tab closed mid-output, or a tab's connection stalled when the server was
stopped), the reader blocked writing to the full pipe, so it never ran its SIGHUP
handler: it was killed 3 s later and what was being typed was lost. A stand-in reader
that draws without pause and, like the real one, acts on SIGHUP only between writes
shows it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import aiohttp

from tests.test_serve import Served, free_port, open_reader
from tests.test_serve_signals import _wait_gone

DRAWING_READER = textwrap.dedent("""
    import os, signal, sys, time
    saved = sys.argv[1]
    hung_up = False

    def hang_up(signum, frame):  # like the real reader: acted on between writes, not during one
        global hung_up
        hung_up = True

    signal.signal(signal.SIGHUP, hang_up)

    def write_all(data):
        while data:
            data = data[os.write(1, data):]

    write_all(b"__GANGLION__\\n")
    frame = b"x" * 16384
    while not hung_up:  # a screen being drawn, again and again
        write_all(b"D" + len(frame).to_bytes(4, "big") + frame)
        time.sleep(0.002)
    with open(saved, "w") as file:
        file.write("saved")
""")

SERVER = textwrap.dedent("""
    import sys
    from newsdesk.tui.web.access import AccessGuard
    from newsdesk.tui.web.server import NewsdeskServer

    port = int(sys.argv[3])
    NewsdeskServer([sys.executable, sys.argv[1], sys.argv[2]], host="127.0.0.1", port=port, corpus_name="c",
                   guard=AccessGuard("a" * 32, "127.0.0.1", port), max_sessions=4,
                   on_listening=lambda: print("listening", flush=True)).serve()
""")


SLOW_STARTING_READER = textwrap.dedent("""
    import json, os, sys, time

    def write_all(data):
        while data:
            data = data[os.write(1, data):]

    write_all(b"__GANGLION__\\n")
    time.sleep(2)  # starting: keys typed meanwhile are held by the server
    ready = json.dumps({"type": "newsdesk-ready"}).encode()
    write_all(b"M" + len(ready).to_bytes(4, "big") + ready)
    received, pending = 0, b""
    while chunk := os.read(0, 65536):
        pending += chunk
        while len(pending) >= 5 and len(pending) >= 5 + int.from_bytes(pending[1:5], "big"):
            size = int.from_bytes(pending[1:5], "big")
            if pending[:1] == b"D":
                received += size
                report = f"received={received};".encode()
                write_all(b"D" + len(report).to_bytes(4, "big") + report)
            pending = pending[5 + size:]
""")


def _start_server(tmp_path: Path, reader: str = DRAWING_READER) -> tuple[subprocess.Popen[str], Served, Path]:
    port = free_port()
    (tmp_path / "server.py").write_text(SERVER)
    (tmp_path / "reader.py").write_text(reader)
    saved = tmp_path / "saved"
    stderr_path = tmp_path / "server.err"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(tmp_path / "server.py"), str(tmp_path / "reader.py"), str(saved), str(port)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert process.stdout is not None and process.stdout.readline() == "listening\n"
    return process, Served(process, port, "a" * 32, stderr_path), saved  # type: ignore[arg-type]


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    if process.stdout:
        process.stdout.close()


def test_a_tab_closed_while_its_reader_draws_lets_the_reader_save_and_exit(tmp_path: Path) -> None:
    process, served, saved = _start_server(tmp_path)
    try:

        async def scenario() -> int:
            async with aiohttp.ClientSession() as session:
                tab = await open_reader(session, served)
                deadline = time.monotonic() + 60
                while len(tab.received) < 1 << 20:  # the reader is drawing, and the tab sees it
                    assert time.monotonic() < deadline, "no output reached the tab"
                    await asyncio.sleep(0.05)
                (reader,) = served.readers()
                await tab.websocket.close()  # mid-output
                await asyncio.get_running_loop().run_in_executor(None, _wait_gone, reader)
                return reader

        asyncio.run(scenario())
        assert saved.exists(), served.stderr()
        assert "killed" not in served.stderr()
    finally:
        _stop(process)


def test_a_stop_signal_with_a_stalled_tab_lets_its_reader_save_and_the_server_exit(tmp_path: Path) -> None:
    """The tab's connection stalls (a laptop asleep at the end of an SSH tunnel): it reads
    nothing, so the server's writes to it wait for ever. SIGTERM must still end the reader
    as SIGHUP does, and the server."""
    process, served, saved = _start_server(tmp_path)
    try:

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                stalled = await session.ws_connect(  # never read from
                    f"ws://127.0.0.1:{served.port}/ws?width=80&height=24",
                    headers={"Origin": served.origin, "Cookie": served.cookie_header},
                )
                deadline = time.monotonic() + 60
                while not served.readers():
                    assert time.monotonic() < deadline, "the reader never started"
                    await asyncio.sleep(0.05)
                (reader,) = served.readers()
                await asyncio.sleep(3)  # the socket's buffers fill up: the server's writes now wait
                process.send_signal(15)
                await asyncio.get_running_loop().run_in_executor(None, process.wait, 30)
                _wait_gone(reader, timeout=1)
                await stalled.close()

        asyncio.run(scenario())
        assert process.returncode == 0, served.stderr()
        assert saved.exists(), served.stderr()
        assert "killed" not in served.stderr()
        assert "had not ended" not in served.stderr()  # the stalled connection was cut, not waited on
    finally:
        _stop(process)


def test_more_input_than_is_held_for_a_starting_reader_all_reaches_it(tmp_path: Path) -> None:
    """Past the 1 MiB the server holds for a reader still starting, the rest of a paste used
    to be dropped; now the server stops reading the tab until the reader is ready."""
    process, served, _saved = _start_server(tmp_path, SLOW_STARTING_READER)
    key, times = "k" * 10_000, 150  # 1.5 MB typed the moment the tab opens
    try:

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                tab = await open_reader(session, served)
                await tab.type(*[key] * times)
                await tab.wait_for(f"received={len(key) * times};", timeout=120)
                await tab.websocket.close()

        asyncio.run(scenario())
        assert "dropped" not in served.stderr()
    finally:
        _stop(process)
