"""Many trello-tui processes on one machine, one outbox: exactly once, how fast, at what cost.

One user's machine, as issue 20 tried it: the sandbox in a process of its own on loopback
(``trello-tui sandbox --port 0 --admin``, Trello's real limits: 100 requests / 10 s per
token, 300 per key), the app running headless on a board (tests/processes/driver.py: the real
``TrelloApp`` under ``run_test()`` in its own process, polling on), a second app instance on
the same board making ``--moves`` moves (``>``'s plan_move + submit_move, one every few tenths
of a second while the captures run), and ``--adds`` ``trello-tui add`` processes, ``--parallel``
at a time. All of them share one cache, one state folder and so one outbox
(``TRELLO_TUI_CACHE_DIR``, ``TRELLO_TUI_STATE_DIR``), as one user's processes do.

Scenarios: ``clean`` (no faults), then ``faulty``: once both apps are up, the sandbox's faults
are set over its admin API to 20 % faults (10 % 503s, 5 % connections dropped before the
change, 5 % dropped after it was made) and a burst of 30 × 429; they are switched off again
after the settle time, before anything is counted.

Each scenario waits up to ``--settle-s`` after the last capture for every card to be on
Trello and on the running app's screen and every move of the second app on Trello, then
counts (with the faults off, through another member's token so the user's budget is
untouched):

* ``created`` distinct captured names on the board, ``duplicated`` extra cards with one of
  those names, ``lost`` names not on the board — all while the apps run, before any sync;
* ``moves_landed`` moves of the second app whose card is now in the target list (and
  ``moves_repeated``: moves Trello recorded more than once);
* ``p95_add_to_server_s``: from spawning ``add`` to Trello's createCard action (its date);
  ``p95_add_to_screen_s``: to the card's name in a column of the running app's screen; null
  when more than 5 % never got there (``on_screen`` says how many did);
* ``board_loads``: full board GETs (``GET /boards/{id}``) the sandbox counted
  (``/_sandbox/stats``), ``429s`` the 429 answers it gave (injected ones included);
* ``queued``: ``add`` processes that printed "queued"; ``outbox_left``: rows still in the
  outbox once the apps have quit; ``after_sync``: the same counts after a final
  ``trello-tui sync`` (with the board loads and 429s it cost, its exit code and last words).

``--no-apps``: the captures alone on a warm cache (a ``sync`` first), no app running — issue
20's first report, where the ``add`` processes race each other for the sender lock.

Output: one line per scenario, then (with both scenarios) the last line is the faulty
scenario's JSON with the clean one's under ``"clean"``. Every process started is ended, on
error too; a scenario is bounded (``--settle-s``, the sync's timeout, per-process timeouts).

Usage: ``uv run python benchmarks/processes.py [--adds 150] [--parallel 8] [--moves 50]
[--faults | --no-faults] [--no-apps] [--quick] [--cards 500] [--settle-s 45] [-v]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import queue
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.processes.procs import AppProc, Processes, user_env

FAULTS = {"error_rate": 0.10, "drop_rate": 0.05, "drop_after_rate": 0.05, "burst_429": 30}
NO_FAULTS = {"error_rate": 0.0, "drop_rate": 0.0, "drop_after_rate": 0.0, "burst_429": 0}
BOARD_ROUTE = "GET /boards/{id}"
ADMIN_ENV = "TRELLO_SANDBOX_ADMIN_TOKEN"

VERBOSE = False


def log(text: str) -> None:
    if VERBOSE:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# -- the sandbox ---------------------------------------------------------------------------


@dataclass
class Server:
    url: str  # .../1
    env: dict[str, str]  # the banner's assignments
    admin: str

    @property
    def root(self) -> str:
        return self.url.removesuffix("/1")

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.root, timeout=30.0)

    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin}"}

    def stats(self) -> dict[str, Any]:
        with self.http() as c:
            r = c.get("/_sandbox/stats", headers=self.admin_headers())
            r.raise_for_status()
            data: dict[str, Any] = r.json()
            return data

    def set_faults(self, values: dict[str, Any]) -> None:
        with self.http() as c:
            r = c.post("/_sandbox/faults", json=values, headers=self.admin_headers())
            r.raise_for_status()

    def teammate(self) -> dict[str, str]:
        """Another member's credentials: counting must not spend the user's token budget."""
        return {"key": self.env["TRELLO_API_KEY"], "token": self.env["TRELLO_TOKEN_SAM"]}

    def get(self, path: str, **params: Any) -> Any:
        """A read as the teammate, retried through faults."""
        last: Exception | None = None
        for _ in range(20):
            try:
                with self.http() as c:
                    r = c.get(self.url + path, params={**params, **self.teammate()})
                if r.status_code == 200:
                    return r.json()
                last = RuntimeError(f"{path}: {r.status_code} {r.text[:100]}")
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.5)
        raise RuntimeError(f"sandbox read failed: {last}")


def start_sandbox(procs: Processes, seed: str) -> Server:
    admin = secrets.token_urlsafe(24)
    env = dict(os.environ, **{ADMIN_ENV: admin})
    args = [sys.executable, "-m", "trello_tui", "sandbox", "--port", "0", "--admin"]
    proc = procs.start([*args, "--seed", seed], env)
    banner: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while "TRELLO_TOKEN_SAM" not in banner:
        if time.monotonic() > deadline or proc.popen.poll() is not None:
            raise RuntimeError(f"the sandbox did not start: {proc.stderr[-5:]}")
        with contextlib.suppress(queue.Empty):
            name, _, value = proc.lines.get(timeout=0.5).partition("=")
            banner[name] = value
    return Server(banner["TRELLO_API_URL"], banner, banner.get(ADMIN_ENV, admin))


# -- one scenario --------------------------------------------------------------------------


@dataclass
class Add:
    name: str
    spawned: float
    exited: float = 0.0
    code: int | None = None
    queued: bool = False
    out: str = ""


def pump(*apps: AppProc | None) -> None:
    for app in apps:
        if app is not None:
            app.pump()


def server_env(home: Path, server: Server) -> dict[str, str]:
    return user_env(home, server.url, server.env["TRELLO_API_KEY"], server.env["TRELLO_TOKEN"])


def p95(values: list[float], total: int) -> float | None:
    """The 95th percentile over ``total`` items of which ``values`` arrived; None when more
    than 5 % never did."""
    if total == 0 or len(values) < math.ceil(0.95 * total):
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(0.95 * total) - 1)], 2)


def parse_date(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def board_counts(server: Server, board_id: str, names: list[str]) -> dict[str, int]:
    cards = server.get(f"/boards/{board_id}/cards", fields="name,idList")
    got = Counter(c["name"] for c in cards)
    wanted = set(names)
    return {
        "created": sum(1 for n in wanted if got[n] >= 1),
        "duplicated": sum(got[n] - 1 for n in wanted if got[n] > 1),
        "lost": sum(1 for n in wanted if got[n] == 0),
    }


def run_scenario(args: argparse.Namespace, faulty: bool) -> dict[str, Any]:
    label = "faulty" if faulty else "clean"
    procs = Processes()
    with tempfile.TemporaryDirectory(prefix=f"trello-bench-{label}-") as folder:
        try:
            return _scenario(args, faulty, label, procs, Path(folder))
        finally:
            procs.end_all()


def _scenario(
    args: argparse.Namespace, faulty: bool, label: str, procs: Processes, home: Path
) -> dict[str, Any]:
    started = time.monotonic()
    server = start_sandbox(procs, f"cards:{args.cards}")
    boards = server.get("/members/me/boards", fields="name")
    board_id = boards[0]["id"]
    lists = server.get(f"/boards/{board_id}/lists", fields="name,pos")
    log(f"{label}: sandbox {server.url}, board {board_id} ({len(lists)} lists)")
    env = server_env(home, server)
    prefix = f"bench-{label}-"
    if args.apps:
        app = procs.app(env, board_id, watch=prefix)
        app.wait_ready(90)
        log(f"{label}: app 1 ready after {time.monotonic() - started:.1f} s")
        second = procs.app(env, board_id)
        second.wait_ready(90)
        log(f"{label}: app 2 ready after {time.monotonic() - started:.1f} s")
    else:  # the captures alone, on a warm cache (the user ran the app or a sync before)
        warm = procs.start([sys.executable, "-m", "trello_tui", "sync", "--board", board_id], env)
        warm.wait(60)
        app = second = None
    loads_at_start = int(server.stats()["routes"].get(BOARD_ROUTE, {}).get("requests", 0))
    if faulty:
        server.set_faults(FAULTS)

    names = [f"{prefix}{i:03d}" for i in range(args.adds)]
    adds: list[Add] = []
    adds_lock = threading.Lock()

    def one_add(name: str) -> None:
        record = Add(name, time.time())
        with adds_lock:
            adds.append(record)
        proc = procs.start(
            [sys.executable, "-m", "trello_tui", "add", name, "--board", board_id], env
        )
        record.code = proc.wait(args.add_timeout_s)
        record.exited = time.time()
        out = list(proc.out)
        record.out = "\n".join(out + proc.stderr[-3:])
        record.queued = any(line.startswith("queued") for line in out)
        proc.end(1)

    # The moves are spread over about as long as the captures take (a guess: 0.5 s each over
    # the parallel slots), one "move" command at a time to the second app.
    spacing = max(0.1, (args.adds * 0.5 / max(1, args.parallel)) / max(1, args.moves))
    stop_moves = threading.Event()

    def mover() -> None:
        if second is None:
            return
        for _ in range(args.moves):
            if stop_moves.wait(spacing):
                return
            second.proc.send("move")

    moving = threading.Thread(target=mover, daemon=True)
    moving.start()
    t_adds = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        futures = [pool.submit(one_add, n) for n in names]
        while not all(f.done() for f in futures):
            pump(app, second)
            time.sleep(0.1)
        for f in futures:
            f.result()
    adds_s = time.monotonic() - t_adds
    moving.join(timeout=args.moves * spacing + 5)
    made = len(second.moved()) if second else 0
    log(f"{label}: {len(adds)} adds in {adds_s:.1f} s; {made} moves made")

    # Settle: every card on Trello and on the first app's screen, and every move of the
    # second app on Trello, or the deadline.
    deadline = time.monotonic() + args.settle_s
    on_server = 0
    while time.monotonic() < deadline:
        pump(app, second)
        if app is None or len(app.seen_at) >= len(names):
            with contextlib.suppress(RuntimeError):
                counts = board_counts(server, board_id, names)
                on_server = counts["created"]
                if on_server >= len(names) and moves_landed(server, board_id, second):
                    break
        time.sleep(1.0)
    pump(app, second)
    settle_s = time.monotonic() - t_adds - adds_s
    shown = len(app.seen_at) if app else None
    log(f"{label}: settled after {settle_s:.1f} s; app 1 shows {shown} cards")
    if faulty:
        server.set_faults(NO_FAULTS)
    stats = server.stats()
    counts = board_counts(server, board_id, names)
    actions = server.get(f"/boards/{board_id}/actions", filter="createCard,updateCard", limit=1000)
    created_at: dict[str, float] = {}
    moved_to: Counter[tuple[str, str]] = Counter()
    for action in actions:
        data = action.get("data", {})
        if action["type"] == "createCard":
            name = data.get("card", {}).get("name", "")
            when = parse_date(action["date"])
            created_at[name] = min(when, created_at.get(name, when))
        elif action["type"] == "updateCard" and "listAfter" in data:
            moved_to[(data["card"]["id"], data["listAfter"]["id"])] += 1
    spawned = {a.name: a.spawned for a in adds}
    to_server = [created_at[n] - spawned[n] for n in names if n in created_at]
    seen_at = app.seen_at if app else {}
    to_screen = [seen_at[n] - spawned[n] for n in names if n in seen_at]
    moves = second.moved() if second else []
    cards_now = {
        c["id"]: c["idList"] for c in server.get(f"/boards/{board_id}/cards", fields="idList")
    }
    landed = sum(1 for m in moves if cards_now.get(m["card"]) == m["to"])
    repeated = sum(max(0, moved_to[(m["card"], m["to"])] - 1) for m in moves)
    routes = stats["routes"]
    result: dict[str, Any] = {
        "scenario": label,
        "cards": len(names),
        **counts,
        "moves_landed": landed,
        "p95_add_to_server_s": p95(to_server, len(names)),
        "p95_add_to_screen_s": p95(to_screen, len(names)),
        "board_loads": int(routes.get(BOARD_ROUTE, {}).get("requests", 0)),
        "429s": int(stats["429"]),
        "moves": len(moves),
        "moves_repeated": repeated,
        "on_server": len(to_server),
        "on_screen": len(to_screen),
        "board_loads_at_app_starts": loads_at_start,
        "queued": sum(1 for a in adds if a.queued),
        "add_failed": sum(1 for a in adds if a.code not in (0, None)),
        "adds_s": round(adds_s, 1),
        "settle_s": round(settle_s, 1),
        "status_app1": app.status if app else None,
        "requests": int(stats["requests"]),
        "by_route": dict(
            sorted(
                ((k, int(v.get("requests", 0))) for k, v in routes.items()), key=lambda kv: -kv[1]
            )[:8]
        ),
    }
    failed = [a for a in adds if a.code not in (0, None)]
    for a in failed[:3]:
        log(f"{label}: add {a.name} exit {a.code}: {a.out[-300:]}")

    # The apps quit (as the user closes them), then what a final sync leaves.
    apps = [a.proc for a in (app, second) if a is not None]
    for proc in apps:
        proc.send("quit")
    for proc in apps:
        proc.wait(20)
    result["outbox_left"] = outbox_count(home)
    before = server.stats()
    sync = procs.start([sys.executable, "-m", "trello_tui", "sync", "--board", board_id], env)
    sync.wait(args.sync_timeout_s)
    after = server.stats()
    loads = int(after["routes"].get(BOARD_ROUTE, {}).get("requests", 0)) - int(
        before["routes"].get(BOARD_ROUTE, {}).get("requests", 0)
    )
    result["after_sync"] = {
        **board_counts(server, board_id, names),
        "board_loads": loads,
        "429s": int(after["429"]) - int(before["429"]),
        "outbox_left": outbox_count(home),
        "exit": sync.popen.returncode,
        "said": sync.stderr[-4:],
    }
    result["elapsed_s"] = round(time.monotonic() - started, 1)
    return result


def outbox_count(home: Path) -> int | None:
    from trello_tui.store.outbox import Outbox

    path = home / "state" / "outbox.sqlite3"
    if not path.exists():
        return 0
    box = Outbox(path)
    try:
        return box.count()
    finally:
        box.close()


@contextlib.contextmanager
def interrupted_cleanly() -> Iterator[None]:
    """SIGTERM ends the run like Ctrl+C, so every child is still ended."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def moves_landed(server: Any, board_id: str, second: Any) -> bool:
    """Every move the second app made has its card in the target list on Trello."""
    moves = second.moved() if second else []
    if not moves:
        return True
    cards = {c["id"]: c["idList"] for c in server.get(f"/boards/{board_id}/cards", fields="idList")}
    return all(cards.get(m["card"]) == m["to"] for m in moves)


def main() -> int:
    global VERBOSE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adds", type=int, default=150)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--moves", type=int, default=50)
    parser.add_argument(
        "--faults",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="only the faulty scenario (--no-faults: only the clean one); default both",
    )
    parser.add_argument(
        "--apps",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="--no-apps: the captures alone, no app running (issue 20's first report)",
    )
    parser.add_argument("--quick", action="store_true", help="20 adds, 4 at a time, 6 moves")
    parser.add_argument("--cards", type=int, default=500, help="cards on the sandbox's board")
    parser.add_argument("--settle-s", type=float, default=45.0)
    parser.add_argument("--add-timeout-s", type=float, default=60.0)
    parser.add_argument("--sync-timeout-s", type=float, default=150.0)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    VERBOSE = args.verbose
    if args.quick:
        args.adds, args.parallel, args.moves = 20, 4, 6
        args.cards = min(args.cards, 200)
        args.settle_s = min(args.settle_s, 20.0)
        args.sync_timeout_s = min(args.sync_timeout_s, 60.0)
    scenarios = [False, True] if args.faults is None else [args.faults]
    results = []
    with interrupted_cleanly():
        for faulty in scenarios:
            result = run_scenario(args, faulty)
            results.append(result)
            print(json.dumps(result), flush=True)
    if len(results) == 2:
        combined = {**results[1], "clean": results[0]}
        print(json.dumps(combined))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
