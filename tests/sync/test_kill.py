"""Acceptance: SIGKILL at 20 random moments during syncs and writes loses nothing and
duplicates nothing.

The sandbox is served on loopback in this process (with a little latency, so kills often
land while a request is in flight); each run of ``kill_worker`` syncs a board and makes
writes until it is killed at a random moment after it is ready. After every kill the cache
and the outbox must open as they are (nothing set aside). A last run drains the outbox; then
every write that reached the outbox exists exactly once in the sandbox, no card is
duplicated, and every card sits where its last write put it.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import SENT, Outbox

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20


def _worker(url: str, sb: Sandbox, board: str, workdir: Path, run: int, steps: int) -> list[str]:
    creds = sb.credentials
    args = [url, creds.key, creds.token, board, str(workdir), str(run), str(steps)]
    return [sys.executable, "-m", "tests.sync.kill_worker", *args]


def _journal(path: Path) -> list[dict[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by the kill
    return out


def test_sigkill_during_syncs_and_writes(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    sb.faults.latency_s = 0.01
    board = _big_board(sb)
    rng = random.Random(20261128)
    started = time.monotonic()
    in_flight = 0
    with sb.serve_in_thread() as url:
        for run in range(KILLS):
            proc = subprocess.Popen(
                _worker(url, sb, board, tmp_path, run, 15),
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.strip() == "READY", proc.stderr.read() if proc.stderr else line
            time.sleep(rng.uniform(0.0, 0.6))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            assert proc.returncode == -signal.SIGKILL
            cache = Cache(tmp_path / "cache.sqlite3")
            assert cache.messages == [] and cache.load_board(board) is not None
            cache.close()
            outbox = Outbox(tmp_path / "outbox.sqlite3")
            assert outbox.messages == []
            in_flight += outbox.count(state=SENT)  # killed mid-request: outcome unknown
            outbox.close()
        drain = subprocess.run(
            _worker(url, sb, board, tmp_path, KILLS, 0),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert drain.stdout.strip().endswith("DONE"), drain.stderr
    elapsed = time.monotonic() - started

    journal = _journal(tmp_path / "journal.jsonl")
    log = (tmp_path / "worker.log").read_text(encoding="utf-8")
    adopted = log.count("already applied")
    resent = log.count("not applied, sending again")
    on_server = Counter(c.name for c in sb.world.cards.values() if c.name.startswith("K-"))
    durable = [r for r in journal if r["phase"] == "durable"]
    creates = {r["name"] for r in durable if r["kind"] == "create"}
    print(
        f"{KILLS} kills in {elapsed:.1f} s; {len(durable)} durable writes "
        f"({len(creates)} creates), {sum(on_server.values())} K- cards on the server; "
        f"{in_flight} writes were in flight at a kill; on restart {adopted} creates were found "
        f"already applied (adopted, not re-sent) and {resent} were sent again"
    )
    assert creates, "the kills never let a write through"
    duplicated = {name: n for name, n in on_server.items() if n > 1}
    assert not duplicated
    lost = creates - set(on_server)
    assert not lost
    # Every card sits in the list of its last durable write, or of a later write that was
    # still being submitted when the process died (it may or may not have been recorded).
    by_name = {c.name: c for c in sb.world.cards.values() if c.name in on_server}
    for name in creates:
        records = [r for r in journal if r["name"] == name]
        last = max(i for i, r in enumerate(records) if r["phase"] == "durable")
        allowed = {records[last]["list"]} | {r["list"] for r in records[last + 1 :]}
        assert by_name[name].id_list in allowed, (name, records)
    assert Outbox(tmp_path / "outbox.sqlite3").count() == 0


def _big_board(sb: Sandbox) -> str:
    """The demo's largest open board, so a full load takes a moment to write."""
    boards = [b for b in sb.world.boards.values() if not b.closed]
    return max(boards, key=lambda b: len(b.card_ids)).id
