"""The chaos machine: the real app, driven by key presses, against a faulty sandbox.

A seeded random walk (``Chaos(seed, ops).run()``) shared by ``tests/reliability`` (a short
walk in CI) and ``benchmarks/chaos.py`` (a long one, any seed):

* the sandbox serves the demo world on loopback from a process of its own (Trello is another
  machine: its work must not count as the app's loop stalling, ``server.py``),
  with faults that change every few operations: latency up to 2 s, 20 % 5xx, connections
  dropped before or *after* the change was made, 429 bursts;
* the app (``TrelloApp`` under Textual's Pilot, polling on) is driven by key presses only:
  moves (``<`` ``>`` ``J`` ``K`` ``T`` ``B``), new cards (``n``), titles (``t``), labels
  (``1``–``0``), ``space``, due dates (``d``), checklist items (card detail), archives (``c``)
  and undos (``z``, right after the operation it undoes);
* it is quit and started again every few dozen operations, on the same cache and outbox,
  and between two runs ``trello-tui add`` (the capture path, in-process) adds a card;
* a teammate with their own token changes their own cards and lists, and the descriptions of
  the user's cards (fields the user never touches), through the same faulty API;
* a model (``model.py``) follows what the user and the teammate meant. At the end, faults off
  and the outbox drained, the sandbox's board must equal it: nothing lost, nothing twice.

Measured meanwhile: the event loop's longest stall while the app runs (a watchdog that sleeps
10 ms and notes how late it wakes) and the 429s the app received (at its transport).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import random
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from tests.reliability.knobs import BOARD, CALM, NOW, NUMBER_KEYS, PHASES
from tests.reliability.model import MateModel, MCard, UserModel, Verdict, compare
from tests.reliability.probes import Tap, Watchdog, max_in_window, quiet_dropped_connections
from tests.reliability.server import SandboxProcess
from trello_tui.capture import cli as capture_cli
from trello_tui.capture.adding import EXIT_OK
from trello_tui.capture.dates import DateError, parse_date
from trello_tui.sandbox import Faults, Sandbox, SandboxConfig
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient

if TYPE_CHECKING:
    from tests.reliability.driver import Driver


@dataclass
class Report:
    ops: int = 0
    faults: int = 0
    restarts: int = 0
    lost: int = 0
    duplicated: int = 0
    max_loop_stall_ms: float = 0.0
    rate_limited: int = 0
    max_429_in_10s: int = 0
    captures: int = 0
    teammate_changes: int = 0
    skipped: int = 0
    screen_divergences: int = 0
    failed_writes: int = 0
    #: times the board was not on screen when a key was due (a screen left open)
    problems_seen: int = 0
    stalls_over_50ms: int = 0
    stalls_over_100ms: int = 0
    elapsed_s: float = 0.0
    by_kind: Counter[str] = field(default_factory=Counter)
    stall_by_kind: dict[str, float] = field(default_factory=dict)
    fired: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The benchmark's JSON (its first seven keys are the issue's)."""
        return {
            "ops": self.ops,
            "faults": self.faults,
            "restarts": self.restarts,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "max_loop_stall_ms": round(self.max_loop_stall_ms, 1),
            "rate_limited": self.rate_limited,
            "max_429_in_10s": self.max_429_in_10s,
            "captures": self.captures,
            "teammate_changes": self.teammate_changes,
            "skipped": self.skipped,
            "screen_divergences": self.screen_divergences,
            "failed_writes": self.failed_writes,
            "screens_left_open": self.problems_seen,
            "stalls_over_50ms": self.stalls_over_50ms,
            "stalls_over_100ms": self.stalls_over_100ms,
            "max_stall_ms_by_kind": {k: round(v) for k, v in sorted(self.stall_by_kind.items())},
            "fired": dict(self.fired),
            "by_kind": dict(self.by_kind),
            "elapsed_s": round(self.elapsed_s, 1),
        }


class Chaos:
    """One seeded run; ``await Chaos(seed, ops).run()`` returns the :class:`Report`."""

    def __init__(
        self,
        seed: int,
        ops: int,
        *,
        ops_per_session: int = 40,
        think_s: float = 0.15,
        phase_ops: tuple[int, int] = (6, 14),
        mate_every_s: tuple[float, float] = (0.5, 2.5),
        drain_s: float = 240.0,
        log: Any = None,
        stalls: bool = False,
    ) -> None:
        self.seed = seed
        self.total = ops
        self.rng = random.Random(seed)
        self.ops_per_session = ops_per_session
        self.think_s = think_s
        self.phase_ops = phase_ops
        self.mate_every_s = mate_every_s
        self.drain_s = drain_s
        self.log = log
        self.report = Report()
        self.seen_429: list[float] = []
        self.watchdog = Watchdog(sample=stalls)
        self.sb = Sandbox.create("demo", SandboxConfig(faults=Faults(rng=random.Random(seed))))
        self.url = ""
        self.dir = Path(tempfile.mkdtemp(prefix="trello-tui-chaos-"))
        self.board_id = next(b.id for b in self.sb.world.boards.values() if b.name == BOARD)
        self.counter = 0
        self.phase_left = 0
        self.deck: list[str] = []
        self.recent: list[str] = []  # the driver's last operations, for diagnosis
        #: lists whose screen differs from the model now (a divergence's history is printed
        #: when it begins)
        self.diverging: set[str] = set()
        #: lists whose screen disagreed with the model after the last operation (a verbose run)
        self.watched: set[str] = set()
        self.undoable: tuple[UserModel, str | None] | None = None
        self.stop_mate = asyncio.Event()
        self.user: UserModel
        self.mate: MateModel
        self.label_for: dict[str, str] = {}  # colour family -> the label id its key toggles
        self.me_id = ""
        #: the teammate's checklist items -> their card
        self.item_card: dict[str, str] = {}
        #: Trello, served from a process of its own (server.py); set while the run serves
        self.server: SandboxProcess
        self.fired: Counter[str] = Counter()
        #: the run of the app under way (names created cards in the verbose log)
        self.driver: Driver | None = None

    def say(self, text: str) -> None:
        if self.log is not None:
            self.log(text)

    # -- the run -------------------------------------------------------------------------------

    async def run(self) -> Report:
        began = time.monotonic()
        # A dropped connection is an exception in the sandbox's server: not worth a traceback.
        with quiet_dropped_connections(), self._engine_log():
            return await self._run(began)

    @contextlib.contextmanager
    def _engine_log(self) -> Iterator[None]:
        """A verbose run logs the sync engine's debug lines too (answers, loads, merges)."""
        if self.log is None:
            yield
            return
        handler = EngineLog(self)
        logger = logging.getLogger("trello_tui.sync")
        level = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)

    def short(self, object_id: str) -> str:
        """An id as the verbose log names it: a created card by its tag, else its end."""
        driver = self.driver
        key = driver.key_of(object_id) if driver is not None else object_id
        return key[-3:] if len(key) == 24 else key

    async def _run(self, began: float) -> Report:
        await self._prepare()
        try:
            with SandboxProcess(self.sb) as server:
                self.server = server
                self.url = server.url
                mate = asyncio.get_running_loop().create_task(self._teammate())
                try:
                    done = 0
                    while done < self.total:
                        if done:
                            self.report.restarts += 1
                            await self._capture()
                        count = min(self.ops_per_session, self.total - done)
                        await self._session(count)
                        done += count
                finally:
                    self.stop_mate.set()
                    await mate
                server.update_faults(CALM)
                self.report.restarts += 1
                await self._session(0, drain=True)
                verdict = compare(server.world(), self.board_id, self.user, self.mate)
                self.fired = server.fired()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
        self._finish(verdict, time.monotonic() - began)
        return self.report

    def _finish(self, verdict: Verdict, elapsed: float) -> None:
        r = self.report
        r.lost += verdict.lost
        r.duplicated += verdict.duplicated
        r.problems += verdict.problems
        r.max_loop_stall_ms = self.watchdog.max_ms
        r.stalls_over_50ms = self.watchdog.over_50ms
        r.stall_by_kind = dict(self.watchdog.by_label)
        r.stalls_over_100ms = self.watchdog.over_100ms
        r.rate_limited = len(self.seen_429)
        r.max_429_in_10s = max_in_window(self.seen_429)
        r.fired = self.fired
        r.faults = sum(n for k, n in r.fired.items() if k != "latency") + r.fired["latency"]
        r.elapsed_s = elapsed
        self.say(f"worst loop stall {self.watchdog.max_ms:.0f} ms during {self.watchdog.worst}")
        dog = self.watchdog
        self.say(f"stalls over 50 ms: {dog.over_50ms}, over 100 ms: {dog.over_100ms}")
        for late, label, stacks in sorted(dog.long, reverse=True)[:6]:
            self.say(f"=== {late:.0f} ms during {label}")
            for stack, hits in stacks:
                self.say(f"--- sampled {hits}x:\n{stack}")

    # -- set-up: the teammate's lists and cards, more labels, the models ----------------------

    async def _prepare(self) -> None:
        sb = self.sb
        creds = sb.credentials
        mate_token = creds.tokens["sam"]
        transport = httpx.ASGITransport(app=sb.app)
        async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as c:

            async def call(method: str, path: str, token: str, **params: Any) -> Any:
                r = await c.request(
                    method, path, params={"key": creds.key, "token": token, **params}
                )
                r.raise_for_status()
                return r.json()

            for name, color in (("Urgent", "green"), ("Later", "blue")):
                await call(
                    "POST", "/labels", creds.token, idBoard=self.board_id, name=name, color=color
                )
            lists = []
            for name in ("Sam A", "Sam B"):
                lists.append(
                    (
                        await call(
                            "POST",
                            "/lists",
                            mate_token,
                            idBoard=self.board_id,
                            name=name,
                            pos="bottom",
                        )
                    )["id"]
                )
            cards: dict[str, dict[str, Any]] = {}
            for i in range(5):
                list_id = lists[i % 2]
                card = await call(
                    "POST", "/cards", mate_token, idList=list_id, name=f"mate{i}", pos="bottom"
                )
                cards[card["id"]] = {"name": f"mate{i}", "list_id": list_id}
            first = next(iter(cards))
            checklist = await call("POST", f"/cards/{first}/checklists", mate_token, name="Steps")
            for i in range(3):
                await call(
                    "POST", f"/checklists/{checklist['id']}/checkItems", mate_token, name=f"step{i}"
                )
        w = sb.world
        board = w.boards[self.board_id]
        self.me_id = w.me
        labels = sorted((w.labels[i] for i in board.label_ids), key=lambda lb: (lb.name, lb.id))
        for lb in labels:
            family = (lb.color or "").removesuffix("_dark").removesuffix("_light")
            if family in NUMBER_KEYS and family not in self.label_for:
                self.label_for[family] = lb.id
        user_lists = [x.id for x in w.sorted_lists(board) if x.id not in lists]
        mcards: dict[str, MCard] = {}
        order: dict[str, list[str]] = {}
        for n, list_id in enumerate(user_lists):
            ids = [
                c.id
                for c in sorted(
                    (w.cards[i] for i in w.lists[list_id].card_ids), key=lambda c: (c.pos, c.id)
                )
                if not c.closed
            ]
            order[list_id] = ids
            for i, card_id in enumerate(ids):
                c = w.cards[card_id]
                checks = {
                    item.id: item.state == "complete"
                    for cl_id in c.checklist_ids
                    for item in w.checklists[cl_id].items
                }
                mcards[card_id] = MCard(
                    f"s{n}{i}",
                    c.name,
                    list_id,
                    labels=set(c.id_labels),
                    members=set(c.id_members),
                    due=datetime.fromisoformat(c.due.replace("Z", "+00:00")) if c.due else None,
                    due_complete=c.due_complete,
                    checks=checks,
                )
        self.user = UserModel(mcards, order, user_lists)
        mate_lists = {x: [c for c in cards if cards[c]["list_id"] == x] for x in lists}
        mate_checks = {i.id: False for i in w.checklists[checklist["id"]].items}
        self.mate = MateModel(cards, mate_lists, mate_checks, {})
        self.item_card = {i.id: c.id_card for c in w.checklists.values() for i in c.items}

    # -- the teammate ---------------------------------------------------------------------------

    async def _teammate(self) -> None:
        rng = random.Random(self.seed * 7919 + 1)
        creds = self.sb.credentials
        auth = {"key": creds.key, "token": creds.tokens["sam"]}
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            while not self.stop_mate.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop_mate.wait(), rng.uniform(*self.mate_every_s))
                if self.stop_mate.is_set():
                    return
                method, path, params, commit = self._mate_change(rng)
                while True:  # every change is idempotent: send until Trello says it is done
                    try:
                        r = await client.request(method, path, params={**auth, **params})
                        if r.status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(rng.uniform(0.3, 1.0))
                commit()
                self.report.teammate_changes += 1

    def _mate_change(self, rng: random.Random) -> tuple[str, str, dict[str, Any], Any]:
        mate = self.mate
        kind = rng.choice(["move", "rename", "tick", "desc", "desc"])
        card_id = rng.choice(sorted(mate.cards))
        n = self.report.teammate_changes
        if kind == "move":
            list_id = rng.choice(sorted(mate.lists))
            where = rng.choice(["top", "bottom"])

            def moved() -> None:
                mate.lists[mate.cards[card_id]["list_id"]].remove(card_id)
                target = mate.lists[list_id]
                target.insert(0 if where == "top" else len(target), card_id)
                mate.cards[card_id]["list_id"] = list_id

            return "PUT", f"/cards/{card_id}", {"idList": list_id, "pos": where}, moved
        if kind == "rename":
            name = f"{mate.cards[card_id]['name'].split(' ')[0]} v{n}"
            return (
                "PUT",
                f"/cards/{card_id}",
                {"name": name},
                lambda: mate.cards[card_id].update(name=name),
            )
        if kind == "tick":
            item_id = rng.choice(sorted(mate.checks))
            state = not mate.checks[item_id]
            path = f"/cards/{self.item_card[item_id]}/checkItem/{item_id}"
            params = {"state": "complete" if state else "incomplete"}
            return "PUT", path, params, lambda: mate.checks.__setitem__(item_id, state)
        seed_cards = sorted(k for k, c in self.user.cards.items() if not c.created)
        target = rng.choice(seed_cards)
        desc = f"Teammate note {n}"
        return (
            "PUT",
            f"/cards/{target}",
            {"desc": desc},
            lambda: mate.descs.__setitem__(target, desc),
        )

    # -- faults ---------------------------------------------------------------------------------

    def _next_phase(self) -> None:
        if self.phase_left > 0:
            self.phase_left -= 1
            return
        if not self.deck:  # every phase once per round, in a shuffled order
            self.deck = list(PHASES)
            self.rng.shuffle(self.deck)
        name = self.deck.pop()
        values = {**CALM, **PHASES[name]}
        if name in ("errors", "storm"):
            values["error_status"] = self.rng.choice([500, 502, 503, 504])
        if name == "storm" or self.rng.random() < 0.3:
            values["burst_429"] = self.rng.randint(3, 12)
        self.server.update_faults(values)
        self.phase_left = self.rng.randint(*self.phase_ops)
        self.say(f"phase {name} {values}")

    # -- one run of the app ---------------------------------------------------------------------

    def _client(self) -> TrelloClient:
        creds = self.sb.credentials
        return TrelloClient(
            Credentials(key=creds.key, token=creds.token), self.url, transport=Tap(self.seen_429)
        )

    async def _session(self, count: int, *, drain: bool = False) -> None:
        from tests.reliability.driver import Driver

        cache = Cache(self.dir / "cache.sqlite3")
        outbox = Outbox(self.dir / "outbox.sqlite3")
        try:
            driver = self.driver = Driver(self, cache, outbox)
            await driver.run(count, drain=drain)
        finally:
            self.driver = None
            outbox.close()
            cache.close()
        self.undoable = None

    async def _capture(self) -> None:
        """``trello-tui add`` between two runs of the app (same cache and outbox)."""
        if self.rng.random() < 0.3:
            return
        self.counter += 1
        tag = f"a{self.counter}"
        list_id = self.rng.choice(self.user.list_order)
        where = self.rng.choice(["top", "bottom", ""])
        text = f"{tag} ^{where}" if where else tag
        name = self.sb.world.lists[list_id].name
        client = self._client()
        out, err = io.StringIO(), io.StringIO()
        try:
            code = await capture_cli.run(
                client,
                [(1, text)],
                self.board_id,
                name,
                cache=Cache(self.dir / "cache.sqlite3"),
                outbox=Outbox(self.dir / "outbox.sqlite3"),
                out=out,
                err=err,
            )
        finally:
            await client.aclose()
        self.say(f"capture {text!r} -> {code} {out.getvalue().strip()} {err.getvalue().strip()}")
        if code != EXIT_OK:
            self.report.problems.append(f"trello-tui add {text!r} exited {code}: {err.getvalue()}")
        index = 0 if where == "top" else len(self.user.lists[list_id])
        self.user.create(tag, tag, list_id, index)
        self.report.captures += 1
        self.recent.append(f"captured {text} into {name}")

    def due_for(self, text: str) -> datetime | None:
        parsed = parse_date(text, NOW)
        assert not isinstance(parsed, DateError), parsed
        return parsed


class EngineLog(logging.Handler):
    """The sync engine's debug lines in the chaos log, ids shortened as the driver's are."""

    HEX = re.compile(r"\b(?:[0-9a-f]{24}|tmp-[0-9a-f]{20})\b")

    def __init__(self, chaos: Chaos) -> None:
        super().__init__(logging.DEBUG)
        self.chaos = chaos

    def emit(self, record: logging.LogRecord) -> None:
        with self.chaos.watchdog.excused():
            text = self.HEX.sub(lambda m: self.chaos.short(m.group()), record.getMessage())
            self.chaos.say(f"  engine: {text}")
