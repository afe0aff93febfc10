"""The fuzz harness run long: the query fuzz, the ingest fuzz and the state-folder fault injector.

``python -m bench.fuzz [--factor N] [pytest args…]`` runs tests/test_fuzz_queries.py,
tests/test_fuzz_ingest.py and tests/test_state_faults.py under the ``long`` Hypothesis profile
(tests/conftest.py): each fuzz test runs ``--factor`` times its CI example count (default 20,
minutes rather than seconds) and the fault injector tries a dozen cut and garble offsets on every
state file instead of one. CI keeps the bounded counts; this is the same harness for longer.
Exits with pytest's status; a failure prints the example that reproduces it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/test_fuzz_queries.py", "tests/test_fuzz_ingest.py", "tests/test_state_faults.py"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=20, help="times the CI example count (default 20)")
    args, pytest_args = parser.parse_known_args()
    env = {**os.environ, "HYPOTHESIS_PROFILE": "long", "NEWSDESK_FUZZ_FACTOR": str(args.factor)}
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS, *pytest_args]
    code = subprocess.run(command, cwd=ROOT, env=env).returncode
    print(f"fuzz: exit {code} after {time.monotonic() - started:.0f} s (factor {args.factor})")
    return code


if __name__ == "__main__":
    sys.exit(main())
