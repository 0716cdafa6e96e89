"""How long ``trello-tui export`` takes on a large board, per format, as the user runs it.

A ``cards:5000`` sandbox board is loaded into a fresh cache file the way the app loads it,
then ``python -m trello_tui export`` runs as a whole process for each format (best of runs,
output to a file). The figures include interpreter start-up and the cache read. Then, in
process, the export is re-imported into a fresh sandbox (the round trip of the acceptance
point) and timed.

Last line: {"json_s", "markdown_s", "csv_s", "reimport_s", "cards"}.
Run: uv run python benchmarks/export.py
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 3
ROOT = Path(__file__).resolve().parents[1]


async def fill(cache_dir: Path) -> str:
    sys.path.insert(0, str(ROOT))
    from tests.export.helpers import cache_at
    from tests.trello.sandbox_helpers import client_for
    from trello_tui.sandbox import Sandbox
    from trello_tui.trello import calls

    sb = Sandbox.create("cards:5000")
    board_id = next(iter(sb.world.boards))
    cache = cache_at(cache_dir)
    async with client_for(sb) as client:
        cache.save_board(await client.send(calls.load_board(board_id)))
    cache.close()
    return board_id


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="export-bench-"))
    board_id = asyncio.run(fill(home / "cache"))
    env = dict(os.environ, TRELLO_TUI_CACHE_DIR=str(home / "cache"))
    env.update(TRELLO_TUI_STATE_DIR=str(home / "state"), TRELLO_TUI_CONFIG_DIR=str(home / "cfg"))
    figures: dict[str, float | int] = {}
    for fmt in ("json", "markdown", "csv"):
        best = float("inf")
        out = home / f"board.{fmt}"
        for _ in range(RUNS):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "trello_tui", "export", board_id, "--format", fmt,
                 "--output", str(out)],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
            best = min(best, time.perf_counter() - start)
        figures[f"{fmt}_s"] = round(best, 3)
        print(f"export {fmt:8} {best:.3f} s  ({out.stat().st_size / 1e6:.1f} MB)")
    from trello_tui.sandbox import Sandbox

    start = time.perf_counter()
    fresh = Sandbox.create(str(home / "board.json"))
    figures["reimport_s"] = round(time.perf_counter() - start, 3)
    figures["cards"] = len(fresh.world.boards[board_id].card_ids)
    print(f"re-import {figures['reimport_s']:.3f} s ({figures['cards']} cards)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
