"""What newsdesk's Textual patch (tui/textual_patches.py) costs per key, on the demo corpus.

    python -m bench.textual_patch [--runs N] [--out FILE]

Runs one fixed session in the reader headless (type a query, open a hit, scroll, the Notes
and Saved tabs, next/previous article, the help screen pushed and popped, a resize, toasts)
with the patch and with Textual's own ``Compositor.full_map``, alternating, and reports per
run: the median and p95 time from a key to the next idle frame, how many lazy full-map
rebuilds ran (the only place the patch adds work), and the time the patch's own diff took.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from newsdesk.index import Config
from newsdesk.index.locations import demo_corpus
from newsdesk.tui import textual_patches
from newsdesk.tui.app import close_library, make_app
from textual._compositor import Compositor

SESSION: list[str | tuple[int, int]] = [
    "slash", *"launch pad", "tab", "enter", *"jjjjjjjjjj", "space", "G", "g",
    "p", "p", "right_square_bracket", "left_square_bracket", *"jjjj",
    "S", "escape", "z", "escape", "question_mark", "escape", (100, 30), (140, 40),
    "slash", "ctrl+u", *"minsk", "tab", *"jjjkkk", "enter", *"jjjj",
]  # fmt: skip
"""Keys, and (width, height) for a resize."""


def _counting_full_map(stats: dict[str, float]) -> property:
    patched = textual_patches._full_map

    def full_map(self: Compositor) -> Any:
        if self.root is None or not self._full_map_invalidated:
            return textual_patches.TEXTUAL_FULL_MAP.fget(self)  # type: ignore[misc]
        stats["rebuilds"] += 1
        started = time.perf_counter()
        result = patched(self) if stats["patched"] else textual_patches.TEXTUAL_FULL_MAP.fget(self)  # type: ignore[misc]
        stats["rebuild_seconds"] += time.perf_counter() - started
        return result

    return property(full_map)


async def one_run(patched: bool, state: Path) -> dict[str, Any]:
    stats: dict[str, float] = {"patched": patched, "rebuilds": 0, "rebuild_seconds": 0.0}
    Compositor.full_map = _counting_full_map(stats)  # type: ignore[method-assign, assignment]
    app = make_app(demo_corpus(), Config(), state, index_on_start=False, watch=False)
    latencies = []
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause(0.5)
            for step in SESSION:
                started = time.perf_counter()
                if isinstance(step, tuple):
                    await pilot.resize_terminal(*step)
                else:
                    await pilot.press(step)
                await pilot.wait_for_scheduled_animations()
                await pilot.pause()
                latencies.append(time.perf_counter() - started)
            app.notify("toast")
            await pilot.pause(0.2)
    finally:
        close_library(app.library)
        textual_patches.apply()
    return {
        "patched": patched,
        "key_ms_median": statistics.median(latencies) * 1000,
        "key_ms_p95": sorted(latencies)[round(0.95 * (len(latencies) - 1))] * 1000,
        "rebuilds": stats["rebuilds"],
        "rebuild_ms_total": stats["rebuild_seconds"] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=4, help="runs of each, alternating")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.runs * 2):
            patched = n % 2 == 0
            results.append(asyncio.run(one_run(patched, Path(tmp) / f"state{n}")))
            print(json.dumps(results[-1]))
    summary = {
        "load_average": os.getloadavg(),
        "runs": results,
        **{
            f"{name}_{kind}": statistics.median(r[kind] for r in results if r["patched"] == flag)
            for name, flag in (("patched", True), ("textual", False))
            for kind in ("key_ms_median", "key_ms_p95", "rebuilds", "rebuild_ms_total")
        },
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=1))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
