"""Memory of ``newsdesk serve``: the resident size (RSS) of each tab's reader process.

    .venv/bin/python -m bench.serve_sessions --tabs 4

Starts ``newsdesk serve`` on the demo corpus, opens TABS websocket sessions as the
page does, waits until each reader has drawn its article list, then reads VmRSS of
every reader process and of the server from /proc. Also times a SIGTERM stop.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.test_serve import newsdesk_serve, open_reader


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB (from /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tabs", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        with newsdesk_serve(tmp, "--state-dir", str(tmp / "state")) as served:

            async def measure() -> list[float]:
                async with aiohttp.ClientSession() as session:
                    tabs = [await open_reader(session, served) for _ in range(args.tabs)]
                    await asyncio.gather(*(tab.wait_for("21 articles") for tab in tabs))
                    await asyncio.sleep(3)  # let each reader settle after its first draw
                    sizes = [rss_mb(pid) for pid in served.readers()]
                    started = time.monotonic()
                    served.process.send_signal(signal.SIGTERM)
                    await asyncio.get_running_loop().run_in_executor(None, served.process.wait, 60)
                    print(f"SIGTERM to exit with {args.tabs} tabs open: {time.monotonic() - started:.2f} s")
                    return sizes

            server_rss = rss_mb(served.process.pid)
            sizes = asyncio.run(measure())
    print(f"server RSS before tabs: {server_rss:.0f} MB")
    print(
        f"reader RSS per tab ({len(sizes)} tabs): "
        + ", ".join(f"{size:.0f}" for size in sizes)
        + f" MB; median {statistics.median(sizes):.0f} MB, total {sum(sizes):.0f} MB"
    )


if __name__ == "__main__":
    main()
