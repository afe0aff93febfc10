"""Stopping ``newsdesk serve`` with real signals: every reader ends as on SIGHUP, saving
what is being typed, and the server exits 0."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import aiohttp
import pytest
import yaml
from newsdesk.index import Library

from tests.test_serve import Served, free_port, newsdesk_serve, open_reader


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def _ignores_sighup(pid: int) -> bool:
    """Whether ``pid`` has set SIGHUP to be ignored (bit 1 of SigIgn in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = re.search(r"^SigIgn:\s*([0-9a-f]+)", status, re.MULTILINE)
    return bool(mask and int(mask.group(1), 16) & (1 << (signal.SIGHUP - 1)))


def _wait_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        assert time.monotonic() < deadline, f"process {pid} still running"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_saves_what_each_tab_is_typing_and_exits(tmp_path: Path, signum: int) -> None:
    state = tmp_path / "state"
    # Indexed beforehand: this test is about stopping. (Two tabs building the index at once
    # is tests/tui/test_other_session_indexes.py's; on a loaded machine a first build
    # alone can take most of a minute.)
    with Library.open(state_dir=state) as library:
        library.update()
    with newsdesk_serve(tmp_path, "--state-dir", str(state)) as served:

        async def start_typing(session: aiohttp.ClientSession) -> list[int]:
            typing = await open_reader(session, served)
            idle = await open_reader(session, served)  # a second tab, doing nothing
            await typing.ready()
            await idle.ready()
            await typing.press("\r", "v Select")  # the article is open
            await typing.type("v", "s", "t")
            await typing.wait_for("Annotate")
            await typing.type(*"typed-in-the-browser")
            await typing.wait_for("typed-in-the-browser")
            return served.readers()

        async def scenario() -> list[int]:
            async with aiohttp.ClientSession() as session:
                readers = await start_typing(session)
                assert len(readers) == 2
                served.process.send_signal(signum)
                await asyncio.get_running_loop().run_in_executor(None, served.process.wait, 30)
            return readers

        readers = asyncio.run(scenario())
        assert served.process.returncode == 0, served.stderr()
        for pid in readers:
            _wait_gone(pid, timeout=1)  # gone by the time the server has exited
        assert "stopping: ending 2 reader(s)" in served.stderr()
        assert "Traceback" not in served.stderr()
    (saved,) = list(state.glob("annotations/*/*.yaml"))
    (annotation,) = yaml.safe_load(saved.read_text())["annotations"]
    assert annotation["tags"] == ["typed-in-the-browser"]


def test_a_stop_signal_with_no_tab_open_exits_at_once(tmp_path: Path) -> None:
    with newsdesk_serve(tmp_path, "--state-dir", str(tmp_path / "state")) as served:
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=30) == 0
        assert "stopped" in served.stderr()


def test_closing_the_tab_saves_what_it_was_typing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with newsdesk_serve(tmp_path, "--state-dir", str(state)) as served:

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                typing = await open_reader(session, served)
                await typing.ready()
                await typing.press("\r", "v Select")  # the article is open
                await typing.type("v", "s", "t")
                await typing.wait_for("Annotate")
                await typing.type(*"typed-then-closed")
                await typing.wait_for("typed-then-closed")
                (reader,) = served.readers()
                await typing.websocket.close()
                await asyncio.get_running_loop().run_in_executor(None, _wait_gone, reader)

        asyncio.run(scenario())
    (saved,) = list(state.glob("annotations/*/*.yaml"))
    assert yaml.safe_load(saved.read_text())["annotations"][0]["tags"] == ["typed-then-closed"]


STUBBORN_READER = textwrap.dedent("""
    import signal, sys, time
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a reader that ignores SIGHUP
    sys.stdout.write("__GANGLION__\\n")
    sys.stdout.flush()
    time.sleep(600)
""")

STUBBORN_SERVER = textwrap.dedent("""
    import sys
    from newsdesk.tui.web.access import AccessGuard
    from newsdesk.tui.web.server import NewsdeskServer

    port = int(sys.argv[2])
    NewsdeskServer([sys.executable, sys.argv[1]], host="127.0.0.1", port=port, corpus_name="c",
                   guard=AccessGuard("a" * 32, "127.0.0.1", port), max_sessions=4,
                   on_listening=lambda: print("listening", flush=True)).serve()
""")


def test_a_reader_that_ignores_sighup_is_killed_and_the_server_still_exits(tmp_path: Path) -> None:
    port = free_port()
    script = tmp_path / "stubborn_server.py"
    script.write_text(STUBBORN_SERVER)
    (tmp_path / "stubborn_reader.py").write_text(STUBBORN_READER)
    process = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "stubborn_reader.py"), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "listening\n"
        served = Served(process, port, "a" * 32, tmp_path / "unused")  # type: ignore[arg-type]

        async def scenario() -> int:
            async with aiohttp.ClientSession() as session:
                tab = await open_reader(session, served)  # kept open (a dropped one ends its reader)
                deadline = time.monotonic() + 30
                while not any(_ignores_sighup(pid) for pid in served.readers()):
                    assert time.monotonic() < deadline, "the stubborn reader never started"
                    await asyncio.sleep(0.05)
                (reader,) = served.readers()
                process.send_signal(signal.SIGTERM)
                await asyncio.get_running_loop().run_in_executor(None, process.wait, 30)
                await tab.websocket.close()
                return reader

        reader = asyncio.run(scenario())
        assert process.returncode == 0
        _wait_gone(reader, timeout=1)
        assert "did not exit 3 s after SIGHUP; killed" in (process.stderr.read() if process.stderr else "")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
