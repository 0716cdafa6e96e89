"""Chaos benchmark: the real app, by key presses, against a faulty Trello, restarted as it goes.

Runs the reliability test's machine (tests/reliability/machine.py) for longer and with any
seed: the sandbox on loopback with faults that change every few operations (latency up to 2 s,
20 % 5xx, connections dropped before and after the change was made, 429 bursts), a teammate
changing the board with their own token, the app quit and started again on its cache and
outbox every ``--per-run`` operations with ``trello-tui add`` in between. At the end, faults
off and the outbox drained, the sandbox's board must equal the model of what was meant.

Figures: ``lost`` and ``duplicated`` (must be 0), ``max_loop_stall_ms`` (the event loop's
longest stall while the app ran), ``rate_limited`` (429s the app received; ``max_429_in_10s``
the most in any 10 s), ``faults`` (faults the sandbox injected), ``restarts``.

Usage: ``uv run python benchmarks/chaos.py [--ops 2000] [--seed 1] [--per-run 40] [-v]``;
the last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.machine import Chaos


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-run", type=int, default=40, help="operations between restarts")
    parser.add_argument("-v", "--verbose", action="store_true", help="log phases and captures")
    parser.add_argument("--stalls", action="store_true", help="sample the loop's stack in stalls")
    args = parser.parse_args()

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    chaos = Chaos(
        args.seed,
        args.ops,
        ops_per_session=args.per_run,
        log=log if args.verbose else None,
        stalls=args.stalls,
    )
    report = asyncio.run(chaos.run())
    for problem in report.problems[:40]:
        print(problem, file=sys.stderr)
    print(json.dumps(report.summary()))
    return 0 if report.lost == 0 and report.duplicated == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
