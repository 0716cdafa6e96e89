"""Cache benchmark: write a 5,000-card board, then load it cold in a fresh process.

The cards are copies of a real card from the recorded 2015 board export (all its fields, so
the JSON per card is the size Trello serves), spread over 10 lists with labels, members and a
checklist on every tenth card. ``cold_load_5000_s`` is measured in a new Python process (no
warm caches in the interpreter; the OS page cache is warm, as it is when a user reopens the
app): from opening the cache file to a BoardState ready to paint. Required: ≤ 0.2 s.

Usage: ``uv run python benchmarks/cache.py``; the last line is JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIXTURE = ROOT.parent / "shared" / "trello-api" / "fixtures" / "board-export-nebula-2015.json"
N_CARDS = 5000
N_LISTS = 10


def _hex(n: int, prefix: str) -> str:
    return (prefix + f"{n:x}").rjust(24, "0")[-24:]


def build_board_json() -> dict[str, Any]:
    export = json.loads(FIXTURE.read_text(encoding="utf-8"))
    template = max(export["cards"], key=lambda c: len(json.dumps(c)))
    board_id = _hex(1, "b0")
    lists = [
        {"id": _hex(i, "1"), "idBoard": board_id, "name": f"List {i}", "pos": 65535.0 * (i + 1)}
        for i in range(N_LISTS)
    ]
    labels = [dict(lb, idBoard=board_id) for lb in export["labels"]]
    members = export["members"]
    cards = []
    checklists = []
    for n in range(N_CARDS):
        card = dict(template)
        card.update(
            id=_hex(n, "c"),
            idBoard=board_id,
            idList=lists[n % N_LISTS]["id"],
            name=f"Card {n}: {template['name']}",
            pos=65535.0 * (n // N_LISTS + 1),
            idShort=n + 1,
            idChecklists=[],
        )
        if n % 10 == 0:
            cl_id = _hex(n, "d")
            card["idChecklists"] = [cl_id]
            checklists.append(
                {
                    "id": cl_id,
                    "idCard": card["id"],
                    "idBoard": board_id,
                    "name": "Checklist",
                    "pos": 16384.0,
                    "checkItems": [
                        {
                            "id": _hex(n * 10 + k, "e"),
                            "idChecklist": cl_id,
                            "name": f"Item {k}",
                            "pos": 16384.0 * (k + 1),
                            "state": "complete" if k % 2 else "incomplete",
                        }
                        for k in range(4)
                    ],
                }
            )
        cards.append(card)
    return {
        "id": board_id,
        "name": "Benchmark board",
        "lists": lists,
        "cards": cards,
        "labels": labels,
        "members": members,
        "checklists": checklists,
    }


COLD = """
import json, sys, time
t0 = time.perf_counter()
from trello_tui.store.cache import Cache
from trello_tui.sync.state import BoardState
t1 = time.perf_counter()
cache = Cache(__import__("pathlib").Path(sys.argv[1]))
cached = cache.load_board(sys.argv[2])
state = BoardState(cached.board)
t2 = time.perf_counter()
assert len(state.cards) == int(sys.argv[3]), len(state.cards)
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1}))
"""


def main() -> None:
    from trello_tui.store.cache import Cache
    from trello_tui.trello.models import Board

    data = build_board_json()
    board = Board.from_json(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cache.sqlite3"
        cache = Cache(path)
        t0 = time.perf_counter()
        cache.save_board(board, last_action_id="f" * 24)
        write_s = time.perf_counter() - t0
        cache.close()
        size = path.stat().st_size
        runs = []
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", COLD, str(path), board.id, str(N_CARDS)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    cold = min(r["load_s"] for r in runs)
    print(f"cards: {N_CARDS}, checklists: {len(board.checklists)}, file: {size / 1e6:.1f} MB")
    print(f"write: {write_s:.3f} s")
    for r in runs:
        print(f"cold load (fresh process): {r['load_s']:.3f} s (imports {r['import_s']:.3f} s)")
    print(json.dumps({"write_5000_s": round(write_s, 4), "cold_load_5000_s": round(cold, 4)}))


if __name__ == "__main__":
    main()
