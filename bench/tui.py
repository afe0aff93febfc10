"""Measure the reader app headless (``App.run_test``): start-up, keystrokes, opening, scrolling.

    python -m bench.tui --big DIR --big-state DIR --mid DIR --mid-state DIR [--out FILE]
    python -m bench.tui --typeahead DIR --typeahead-state DIR [--repeats N] [--out FILE]

``--big`` is a ~100k-article corpus and ``--mid`` a ~10k one, both already
indexed (``python -m bench.corpus DIR N`` then ``newsdesk index --corpus DIR
--state-dir STATE``). Measures, each repeated and reported as median and p95:

- start: ``make_app`` to the first usable screen (the list's first rows drawn)
  on the big corpus, with the start-up update and corpus polling running as
  they do for a user;
- keystroke: a key typed into the search box to the list showing that query's
  results, on the mid corpus, typing words drawn from the corpus' vocabulary
  at most one key per 150 ms (a fast typist);
- open: Enter on a 200 KB article with ~2,000 entity mentions to the reader
  showing it with every highlight;
- scroll: a key (j, space, G) to the next frame, in that article and in the
  big corpus' article list.

``--typeahead`` measures search as you type alone: each query of a fixed list
(single words of every frequency, two words, phrases with common words,
partial last words) is typed into the search box in one burst, no pauses,
from an empty box; the clock starts at the last key and stops at the first
frame showing that query's hits, then at the first frame showing its exact
total and facets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock
from newsdesk.index import Config, Library, as_you_type
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from textual import events

from bench.corpus import Generator

KEY_INTERVAL = 0.150
NAMES = ["Vladimir Putin", "Sergei Lavrov", "Nikol Pashinyan", "Ilham Aliyev", "Emmanuel Macron"]
PLACES = ["Geneva", "Moscow", "Baku", "Yerevan", "Stepanakert", "Ankara"]
ORGS = ["the OSCE Minsk Group", "the Kremlin", "the Red Cross", "NATO"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median_ms": statistics.median(values) * 1000,
        "p95_ms": percentile(values, 0.95) * 1000,
        "max_ms": max(values) * 1000,
    }


async def until(pilot: Any, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.001)


class Frames:
    """Records when the main screen last drew a frame (Pilot's own waits add ~80 ms a key)."""

    def __init__(self, app: NewsdeskApp) -> None:
        self.last = 0.0
        screen = app.main
        draw = screen._compositor_refresh

        def recorded() -> None:
            draw()
            self.last = time.perf_counter()

        screen._compositor_refresh = recorded  # type: ignore[method-assign]


def send_key(app: NewsdeskApp, key: str) -> float:
    """Send one key as the terminal driver would, without Pilot's idle waits; returns the send time."""
    character = {"space": " ", "enter": "\r", "backspace": "\x7f"}.get(key, key if len(key) == 1 else None)
    event = events.Key(key, character)
    event.set_sender(app)
    started = time.perf_counter()
    app._driver.send_message(event)  # type: ignore[union-attr]
    return started


async def timed_key(app: NewsdeskApp, frames: Frames, key: str, done: Callable[[], bool] = lambda: True) -> float:
    """Seconds from sending ``key`` to the first frame drawn once ``done()`` holds."""
    started = send_key(app, key)
    await until(None, done)
    ready = time.perf_counter()
    await until(None, lambda: frames.last >= ready)
    return frames.last - started


async def measure_start(corpus: Path, state: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        app = make_app(corpus, Config(), state)
        async with app.run_test(size=(120, 40)) as pilot:
            frames = Frames(app)
            await until(pilot, lambda app=app: app.main.article_list.row(0) is not None)
            ready = time.perf_counter()
            await until(pilot, lambda ready=ready, frames=frames: frames.last >= ready)
            times.append(frames.last - started)
            app.main.stop_background()  # the start-up update ends at its next check
        close_library(app.library)
        # The start-up update may still be walking the corpus: let it finish before the next run.
        await asyncio.to_thread(wait_for_updates, state)
    return times


def wait_for_updates(state: Path) -> None:
    with FileLock(str(state / "update.lock")):
        pass


async def measure_keystrokes(corpus: Path, state: Path, words: list[str]) -> list[float]:
    times = []
    app = make_app(corpus, Config(), state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        main = app.main.results  # the results pane: search box, list, status line and search sequence numbers
        frames = Frames(app)
        await pilot.press("slash")
        for word in words:
            for char in word:
                seq = main.search_seq + 1
                elapsed = await timed_key(app, frames, char, lambda seq=seq: main.shown_search_seq >= seq)
                times.append(elapsed)
                await asyncio.sleep(max(0.0, KEY_INTERVAL - elapsed))
            await pilot.press(*["backspace"] * len(word))
            await until(pilot, lambda: main.shown_search_seq >= main.search_seq)
    close_library(app.library)
    return times


def typeahead_queries() -> list[tuple[str, str]]:
    """(kind, text) typed in the typeahead measurement; words by frequency rank in ``bench.corpus``."""
    vocabulary = Generator(seed=7).vocabulary

    def partial(rank: int) -> str:
        word = next(w for w in vocabulary[rank:] if len(w) >= 6)
        return word[: len(word) - 2]

    queries = [("word", vocabulary[rank]) for rank in (0, 2, 10, 40, 150, 600, 2500, 10_000, 25_000)]
    queries += [("two words", f"{vocabulary[a]} {vocabulary[b]}") for a, b in ((0, 1), (3, 90), (20, 1500))]
    queries += [("AND", f"{vocabulary[a]} AND {vocabulary[b]}") for a, b in ((1, 5), (60, 4000))]
    phrases = [
        f'"will {vocabulary[0]}"',
        f'"the {vocabulary[1]}"',
        f'"{vocabulary[0]} {vocabulary[3]}"',
        '"the Middle East"',
        '"peace talks"',
    ]
    queries += [("phrase", text) for text in phrases]
    queries += [("partial", partial(rank)) for rank in (5, 50, 400, 3000)]
    queries += [("partial", f"{vocabulary[4]} {partial(200)}"), ("partial", f"{vocabulary[30]} {partial(20)}")]
    return queries


class SearchCpu:
    """Records the CPU seconds the search thread spends in each stage of ``search_in_stages``.

    What is left of the process' CPU time is the interface's own work (keys, frames, messages).
    """

    def __init__(self, library: Library) -> None:
        self.stages: list[float] = []
        run = library.search_in_stages

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            self.stages = []
            stages = run(*args, **kwargs)
            while True:
                started = time.thread_time()
                try:
                    answer = next(stages)
                except StopIteration:
                    return
                finally:
                    self.stages.append(time.thread_time() - started)
                yield answer

        library.search_in_stages = timed  # type: ignore[method-assign]


async def measure_typeahead(corpus: Path, state: Path, repeats: int) -> dict[str, Any]:
    """Burst-type each query; seconds from the last key to its hits, then to its total and facets."""
    first_hits: list[float] = []
    complete: list[float] = []
    per_query: list[dict[str, Any]] = []
    hits_cpus: list[float] = []
    complete_cpus: list[float] = []
    search_cpus: list[float] = []
    load_start = os.getloadavg()
    app = make_app(corpus, Config(), state, index_on_start=False, watch=False)
    search_cpu = SearchCpu(app.library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        main = app.main.results  # the results pane: search box, list, status line and search sequence numbers
        frames = Frames(app)
        await pilot.press("slash")
        for kind, text in typeahead_queries() * repeats:
            await pilot.press("ctrl+u")
            await until(pilot, lambda: main.search_status.shown_query is None and not main.search_box.value)
            await asyncio.sleep(0.2)
            for char in text[:-1]:
                send_key(app, {" ": "space"}.get(char, char))
            started = send_key(app, text[-1])
            cpu_started = time.process_time()
            runs = as_you_type(text)

            def showing(runs: str = runs, text: str = text) -> bool:
                return (
                    main.search_box.value == text
                    and main.search_status.shown_query == runs
                    and main.shown_search_seq == main.search_seq
                )

            await until(pilot, showing)
            ready = time.perf_counter()
            await until(pilot, lambda ready=ready: frames.last >= ready)
            hits_at = frames.last
            hits_cpu = time.process_time() - cpu_started
            await until(pilot, lambda: showing() and main.complete_search_seq == main.search_seq)
            ready = time.perf_counter()
            await until(pilot, lambda ready=ready: frames.last >= ready)
            first_hits.append(hits_at - started)
            complete.append(frames.last - started)
            # CPU seconds of the whole process (UI and search threads): the work done, whatever the machine's load.
            hits_cpus.append(hits_cpu)
            complete_cpus.append(time.process_time() - cpu_started)
            search_cpus.append(search_cpu.stages[0] if search_cpu.stages else 0.0)
            per_query.append(
                {
                    "kind": kind,
                    "typed": text,
                    "ran": runs,
                    "total": main.article_list.total,
                    "hits_ms": round(first_hits[-1] * 1000, 1),
                    "complete_ms": round(complete[-1] * 1000, 1),
                    "hits_cpu_ms": round(hits_cpu * 1000, 1),
                    # The search thread's part of it (the first stage; a superseded search of the burst is not counted).
                    "hits_search_cpu_ms": round(search_cpus[-1] * 1000, 1),
                }
            )
            print(per_query[-1], file=sys.stderr)
    close_library(app.library)
    return {
        "first_hits": summary(first_hits),
        "total_and_facets": summary(complete),
        "first_hits_cpu": summary(hits_cpus),
        "total_and_facets_cpu": summary(complete_cpus),
        "first_hits_search_thread_cpu": summary(search_cpus),
        "first_hits_interface_cpu": summary([h - s for h, s in zip(hits_cpus, search_cpus, strict=True)]),
        "load_average_start": load_start,
        "load_average": os.getloadavg(),
        "queries": per_query,
    }


def write_big_article(folder: Path) -> Path:
    """A ~200 KB article with thousands of named people, places and organisations."""
    gen = Generator(seed=11)
    sentences = []
    size = 0
    i = 0
    while size < 200_000:
        words = " ".join(gen.word() for _ in range(6))
        sentence = (
            f"{NAMES[i % len(NAMES)]} met officials of {ORGS[i % len(ORGS)]} in "
            f"{PLACES[i % len(PLACES)]} and said {words}."
        )
        sentences.append(sentence)
        size += len(sentence) + 1
        i += 1
    paragraphs = [" ".join(sentences[j : j + 6]) for j in range(0, len(sentences), 6)]
    path = folder / "big.txt"
    path.write_text("A very long dispatch\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


async def measure_open_and_scroll(workdir: Path, runs: int) -> dict[str, Any]:
    corpus = workdir / "big-article"
    corpus.mkdir()
    write_big_article(corpus)
    state = workdir / "big-article-state"
    with Library.open(corpus, state_dir=state, config=Config()) as library:
        library.update()
        article = library.list_articles(0, 1)[0]
        mentions = len(library.entities(article.id))
        size = len(library.article(article.id).text.encode("utf-8"))
    opens, lines, pages = [], [], []
    app = make_app(corpus, Config(), state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        main = app.main
        frames = Frames(app)
        for _ in range(runs):
            main.article_list.focus()
            main.reader.clear("")
            await pilot.pause()
            opens.append(await timed_key(app, frames, "enter", lambda: main.reader.article is not None))
        highlighted = main.reader.highlighted_entities
        main.reader.focus()
        await pilot.pause()
        for key, bucket in (("j", lines), ("space", pages)):
            for _ in range(40):
                bucket.append(await timed_key(app, frames, key))
                await asyncio.sleep(0.02)
    close_library(app.library)
    return {
        "article_bytes": size,
        "entity_mentions": mentions,
        "highlighted": highlighted,
        "open": summary(opens),
        "reader_j": summary(lines),
        "reader_space": summary(pages),
    }


async def measure_list_scroll(corpus: Path, state: Path) -> dict[str, Any]:
    pages, jumps = [], []
    app = make_app(corpus, Config(), state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        frames = Frames(app)
        for _ in range(60):
            pages.append(await timed_key(app, frames, "space"))
            await asyncio.sleep(0.02)
        for key in ("G", "g", "G", "g"):
            jumps.append(await timed_key(app, frames, key))
            await asyncio.sleep(0.05)
    close_library(app.library)
    return {"list_space": summary(pages), "list_G_g": summary(jumps)}


def query_words(count: int) -> list[str]:
    gen = Generator(seed=7)
    words: list[str] = []
    while len(words) < count:
        word = gen.word()
        if len(word) >= 4 and word not in words:
            words.append(word)
    return words


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    if args.typeahead:
        results["typeahead"] = await measure_typeahead(args.typeahead, args.typeahead_state, args.repeats)
        results["articles"] = Library.open(args.typeahead, state_dir=args.typeahead_state, config=Config()).count()
        return results
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        results["start_big"] = summary(await measure_start(args.big, args.big_state, args.runs))
        print("start", results["start_big"], file=sys.stderr)
        results["keystroke_mid"] = summary(await measure_keystrokes(args.mid, args.mid_state, query_words(args.words)))
        print("keystroke", results["keystroke_mid"], file=sys.stderr)
        results.update(await measure_open_and_scroll(workdir, args.runs))
        print("open", results["open"], file=sys.stderr)
        results.update(await measure_list_scroll(args.big, args.big_state))
    results["articles_big"] = Library.open(args.big, state_dir=args.big_state, config=Config()).count()
    results["articles_mid"] = Library.open(args.mid, state_dir=args.mid_state, config=Config()).count()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", type=Path)
    parser.add_argument("--big-state", type=Path)
    parser.add_argument("--mid", type=Path)
    parser.add_argument("--mid-state", type=Path)
    parser.add_argument("--typeahead", type=Path, help="an indexed corpus: measure search as you type only")
    parser.add_argument("--typeahead-state", type=Path)
    parser.add_argument("--repeats", type=int, default=2, help="times the typeahead list is typed")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--words", type=int, default=25)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not args.typeahead and not (args.big and args.big_state and args.mid and args.mid_state):
        parser.error("give --big, --big-state, --mid and --mid-state, or --typeahead and --typeahead-state")
    results = asyncio.run(run(args))
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
