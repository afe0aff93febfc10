"""Where a first index's CPU goes, per process, and when a core idles.

    python -m bench.index_profile --corpus DIR [--python PY] [--rate 20] --out FILE.json
    python -m bench.index_profile --summarise RAW_PROFILE SAMPLES.jsonl BUILD.json --out FILE.json

Runs one build (``Library.update(rebuild=True)`` on a fresh state folder, as
bench.index_ab does) under ``py-spy record --subprocesses --nonblocking`` (a
bench-only tool: ``pip install py-spy``) and samples every process of the build
from /proc once a second. The JSON holds, per process (main, readers, writers,
told apart by what they run): CPU seconds, the CPU share each second (the
timeline: where a core idles), and the functions holding the most samples,
inclusive and self. py-spy counts a thread waiting for the GIL or for the disk as
busy, so its shares are of samples, not of CPU; the /proc figures are CPU.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.index_ab import BUILD

_LINE = re.compile(r":\d+\)")


def _role(stack: list[str]) -> str:
    """What a process of the build does, from the frames of one sample."""
    text = ";".join(stack)
    if "run_subwriter" in text or "_run_direct_subwriter" in text:
        return "writer"
    if "_process_worker" in text or "_read_in_worker" in text:
        return "reader"
    if "spawn_main" in text:
        return "other child"
    return "main"


def summarise_profile(raw: Path, top: int = 30) -> dict[str, object]:
    """py-spy's raw (collapsed) output per process: samples, and the top functions inclusive and self."""
    samples: collections.Counter[str] = collections.Counter()
    inclusive: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    own: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    roles: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text:
            continue
        count = int(count_text)
        frames = stack_text.split(";")
        last = max((i for i, frame in enumerate(frames) if frame.startswith("process ")), default=-1)
        pid = frames[last].split(":", 1)[0].removeprefix("process ") if last >= 0 else "?"
        frames = [_LINE.sub(")", frame) for frame in frames[last + 1 :]]
        samples[pid] += count
        roles[pid][_role(frames)] += count
        if frames:
            own[pid][frames[-1]] += count
        for frame in set(frames):
            inclusive[pid][frame] += count
    out: dict[str, object] = {}
    for pid, total in samples.most_common():
        role = roles[pid].most_common(1)[0][0]
        out[pid] = {
            "role": role,
            "samples": total,
            "inclusive_pct": {f: round(n * 100 / total, 1) for f, n in inclusive[pid].most_common(top)},
            "self_pct": {f: round(n * 100 / total, 1) for f, n in own[pid].most_common(top)},
        }
    return out


def summarise_samples(path: Path) -> dict[str, object]:
    """The /proc samples: each process's CPU seconds and its CPU share (%) in each second."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    last: dict[str, float] = {}
    timeline: list[dict[str, object]] = []
    totals: dict[str, float] = {}
    commands: dict[str, str] = {}
    previous_t = 0.0
    for row in rows:
        step = max(row["t"] - previous_t, 1e-9)
        previous_t = row["t"]
        shares: dict[str, int] = {}
        for pid, value in row.items():
            if pid in ("t", "load"):
                continue
            cpu, command = value
            if "py-spy" in command or "sample" in command:
                continue
            commands[pid] = command
            shares[pid] = round((cpu - last.get(pid, 0.0)) * 100 / step)
            last[pid] = cpu
            totals[pid] = cpu
        timeline.append({"t": row["t"], "load": round(row["load"], 2), "cpu_pct": shares})
    return {"cpu_s": totals, "commands": commands, "timeline": timeline}


_SAMPLER = r"""
import json, os, sys, time
root, out = int(sys.argv[1]), open(sys.argv[2], "w")
tick = os.sysconf("SC_CLK_TCK")
def tree(pid):
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            for child in open(f"/proc/{pid}/task/{task}/children").read().split():
                found += tree(int(child))
    except OSError:
        pass
    return found
start = time.time()
while os.path.exists(f"/proc/{root}"):
    row = {"t": round(time.time() - start, 1), "load": os.getloadavg()[0]}
    for pid in tree(root):
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            command = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")[-60:]
            row[pid] = [(int(fields[11]) + int(fields[12])) / tick, command]
        except OSError:
            pass
    out.write(json.dumps(row) + "\n")
    out.flush()
    time.sleep(1)
"""


def profile_build(python: str, corpus: Path, rate: int, workdir: Path) -> tuple[Path, Path, dict[str, object]]:
    script = workdir / "build.py"
    script.write_text(BUILD)
    raw, samples = workdir / "profile.txt", workdir / "samples.jsonl"
    spy = Path(python).parent / "py-spy"
    load = os.getloadavg()[0]
    command = [str(spy), "record", "--subprocesses", "--nonblocking", "-r", str(rate), "-f", "raw", "-o", str(raw)]
    build = subprocess.Popen(
        [*command, "--", python, str(script), str(corpus), str(workdir / "state")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    sampler = subprocess.Popen([sys.executable, "-c", _SAMPLER, str(build.pid), str(samples)])
    stdout, _ = build.communicate()
    sampler.wait()
    # py-spy prints its own lines to stdout too: the build's figures are its one JSON line
    result: dict[str, object] = json.loads([line for line in stdout.splitlines() if line.startswith("{")][-1])
    result["load_average"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    return raw, samples, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--rate", type=int, default=20)
    parser.add_argument("--summarise", nargs=3, type=Path, metavar=("RAW", "SAMPLES", "BUILD_JSON"))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.summarise:
        raw, samples, build_json = args.summarise
        build = json.loads(build_json.read_text(encoding="utf-8"))
    elif args.corpus:
        workdir = Path(tempfile.mkdtemp(prefix="newsdesk-index-profile-"))
        raw, samples, build = profile_build(args.python, args.corpus, args.rate, workdir)
    else:
        parser.error("--corpus or --summarise")
    report = {"build": build, "processes": summarise_samples(samples), "profile": summarise_profile(raw)}
    args.out.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
