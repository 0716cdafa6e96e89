"""``[[triggers]]``: run the user's commands when something happens on a board.

A trigger names an event (``on``), optional filters and a command::

    [[triggers]]
    on = "card_moved"
    list = "Done"
    run = ["notify-send", "Done"]

Filters compare names or ids without regard to case: ``board`` the board, ``list`` the list
the card is in (after a move: the list it moved to), ``label`` a label on the card (name,
colour or id), ``member`` the member who did it, the member added (``card_assigned``) or a
member on the card (``me`` is the signed-in user).

Safety. ``run`` is an argv list handed to ``asyncio.create_subprocess_exec``: no shell ever
sees it and nothing is interpolated into it, so a card named ``x"; rm -rf ~`` is just bytes
in ``TRELLO_CARD_NAME``. The child gets our environment minus every ``TRELLO_*`` variable (so
the API key and token never reach it), plus the event's fields (:func:`environment`); its
stdin is empty, its output captured, and it runs in its own session so a timeout stops it
and whatever it started.

Each event runs its triggers at most once, also across a webhook and a poll bringing the same
change, restarts, and the app and ``trello-tui watch`` running side by side: the event's key
is claimed in a small SQLite file in the state folder (``INSERT OR IGNORE``, atomic across
processes) before anything runs. Failures — a non-zero exit, a program that does not exist,
a timeout — become a :class:`TriggerResult` for the caller to show; nothing here raises into
the app, and the runs happen in background tasks, never blocking the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, TypeVar

from trello_tui import children, paths
from trello_tui.automation.notify import CardEvent, Me
from trello_tui.config.settings import Trigger
from trello_tui.trello.models import format_date

log = logging.getLogger(__name__)

TIMEOUT_S: Final = 30.0
#: events older than this (a watcher catching up after a long pause) run nothing
MAX_AGE: Final = timedelta(hours=24)
#: how long a claimed key is remembered on disk
KEEP_S: Final = 30 * 86_400.0


def _same(wanted: str, *values: str) -> bool:
    target = wanted.strip().casefold()
    return any(v and v.casefold() == target for v in values)


def matches(trigger: Trigger, event: CardEvent, me: Me | None = None) -> bool:
    """Whether ``event`` is what ``trigger`` waits for (see the module docstring)."""
    if trigger.on != event.kind:
        return False
    if trigger.board and not _same(trigger.board, event.board_id, event.board_name):
        return False
    if trigger.list and not _same(trigger.list, event.list_id, event.list_name):
        return False
    if trigger.label and not any(_same(trigger.label, *label) for label in event.labels):
        return False
    if trigger.member:
        people = [p for p in (event.member, event.actor, *event.card_members) if p is not None]
        if _same(trigger.member, "me"):
            return me is not None and any(me.is_(p.id, p.username) for p in people)
        return any(_same(trigger.member, *p.names()) for p in people)
    return True


def _clean(value: str) -> str:
    """A value the OS accepts in an environment: no NUL, valid UTF-8."""
    return value.replace("\0", "").encode("utf-8", "replace").decode("utf-8")


def environment(event: CardEvent, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's environment: ``base`` (default ours) without ``TRELLO_*``, plus the event."""
    inherited = os.environ if base is None else base
    env = {k: v for k, v in inherited.items() if not k.upper().startswith("TRELLO_")}
    fields = {
        "TRELLO_EVENT": event.kind,
        "TRELLO_BOARD_ID": event.board_id,
        "TRELLO_BOARD_NAME": event.board_name,
        "TRELLO_CARD_ID": event.card_id,
        "TRELLO_CARD_NAME": event.card_name,
        "TRELLO_CARD_URL": event.card_url,
        "TRELLO_LIST_ID": event.list_id,
        "TRELLO_LIST_NAME": event.list_name,
        "TRELLO_LIST_BEFORE": event.list_before_name,
        "TRELLO_MEMBER": event.member.username if event.member else "",
        "TRELLO_MEMBER_NAME": event.member.shown if event.member else "",
        "TRELLO_ACTOR": event.actor.username if event.actor else "",
        "TRELLO_ACTOR_NAME": event.actor.shown if event.actor else "",
        "TRELLO_COMMENT": event.text,
        "TRELLO_LABELS": ",".join(name or color for _, name, color in event.labels),
        "TRELLO_MEMBERS": ",".join(p.username or p.id for p in event.card_members),
        "TRELLO_DUE": format_date(event.due) or "",
        "TRELLO_ACTION_ID": event.action_id or "",
        "TRELLO_DATE": format_date(event.date) or "",
        "TRELLO_BY_ME": "1" if event.by_me else "0",
    }
    env.update({k: _clean(v) for k, v in fields.items()})
    return env


_BUSY_WAIT_S: Final = 10.0
_T = TypeVar("_T")


def _prepare(db: sqlite3.Connection) -> None:
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS fired (key TEXT PRIMARY KEY, at REAL)")
    db.commit()


def _while_busy(step: Callable[[], _T]) -> _T:
    """``step()``, again while SQLite answers "locked" or "busy" (another process writing),
    for up to ``_BUSY_WAIT_S``; other errors, and the last one, are raised."""
    deadline = time.monotonic() + _BUSY_WAIT_S
    delay = 0.005
    while True:
        try:
            return step()
        except sqlite3.OperationalError as error:
            text = str(error).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


class SeenStore:
    """Event keys already acted on, in SQLite (shared by every trello-tui process)."""

    def __init__(self, path: Path | None = None, *, report: Callable[[str], None] | None = None):
        self.path: Path | None = (
            path if path is not None else paths.state_dir() / "triggers.sqlite3"
        )
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._memory: set[str] = set()  # when the file cannot be used
        self._report = report
        self._claims = 0

    def _open(self) -> sqlite3.Connection | None:
        if self._db is None and self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
                try:
                    # switching to WAL can answer "locked" at once, without waiting for the
                    # busy timeout, while another process opens the same file: wait it out
                    _while_busy(lambda: _prepare(db))
                except BaseException:
                    db.close()
                    raise
                with contextlib.suppress(OSError):
                    os.chmod(self.path, 0o600)
                self._db = db
            except (OSError, sqlite3.Error) as error:
                message = f"{self.path}: {error}; triggers remember events only until exit"
                log.warning(message)
                if self._report is not None:
                    self._report(message)
                self.path = None
        return self._db

    def claim(self, key: str) -> bool:
        """True for the first caller (in any process) to claim ``key``. Blocking: use a thread."""
        with self._lock:
            db = self._open()
            if db is not None:
                now = time.time()

                def insert() -> bool:
                    with db:
                        cursor = db.execute(
                            "INSERT OR IGNORE INTO fired (key, at) VALUES (?, ?)", (key, now)
                        )
                        if self._claims % 500 == 0:
                            db.execute("DELETE FROM fired WHERE at < ?", (now - KEEP_S,))
                    return cursor.rowcount == 1

                try:
                    claimed = _while_busy(insert)
                    self._claims += 1
                    return claimed
                except sqlite3.Error as error:  # locked for too long, disk full: in memory
                    log.warning("triggers store: %s", error)
            if key in self._memory:
                return False
            self._memory.add(key)
            return True

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


@dataclasses.dataclass(frozen=True, slots=True)
class TriggerResult:
    """How one run went; ``text`` is the line to show."""

    trigger: Trigger
    event: CardEvent
    ok: bool
    code: int | None
    detail: str
    seconds: float

    @property
    def text(self) -> str:
        where = f"config.toml line {self.trigger.line}" if self.trigger.line else "a trigger"
        what = f"{self.event.kind} '{self.event.card_name}'"
        if self.ok:
            return f"trigger ({where}) ran for {what}: exit 0 in {self.seconds:.1f} s"
        return f"trigger ({where}) failed for {what}: {self.detail}"


def _last_line(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1][:200] if lines else ""


def _stop(process: asyncio.subprocess.Process) -> None:
    """Kill the child and everything it started (its own session)."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()


class TriggerRunner:
    """Runs matching triggers for events in background tasks; reports, never raises."""

    def __init__(
        self,
        triggers: Iterable[Trigger],
        report: Callable[[TriggerResult], None],
        *,
        me: Me | None = None,
        seen: SeenStore | None = None,
        timeout_s: float = TIMEOUT_S,
        max_age: timedelta = MAX_AGE,
        concurrency: int = 4,
        base_env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.triggers = tuple(triggers)
        self.report = report
        self.me = me
        self.seen = seen if seen is not None else SeenStore()
        self.timeout_s = timeout_s
        self.max_age = max_age
        self.base_env = base_env
        self.clock = clock
        self.runs = 0
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[list[TriggerResult]]] = set()

    def wanted(self, event: CardEvent) -> list[Trigger]:
        return [t for t in self.triggers if matches(t, event, self.me)]

    def submit(self, events: Iterable[CardEvent]) -> None:
        """Start handling events in the background (call from the event loop)."""
        for event in events:
            if not self.wanted(event):
                continue
            task = asyncio.get_running_loop().create_task(self.handle(event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def handle(self, event: CardEvent) -> list[TriggerResult]:
        """Run the triggers ``event`` matches, if no one has run them for it yet."""
        wanted = self.wanted(event)
        if not wanted:
            return []
        now = datetime.fromtimestamp(self.clock(), UTC)
        if event.date is not None and now - event.date > self.max_age:
            log.info("not running triggers for %s: it is older than %s", event.key, self.max_age)
            return []
        try:
            first = await asyncio.to_thread(self.seen.claim, event.key)
        except Exception:  # the store must never stop a trigger from being considered
            log.exception("triggers store failed")
            first = True
        if not first:
            return []
        results = await asyncio.gather(*(self._run(t, event) for t in wanted))
        return list(results)

    async def _run(self, trigger: Trigger, event: CardEvent) -> TriggerResult:
        async with self._slots:
            result = await self.run_one(trigger, event)
        try:
            self.report(result)
        except Exception:  # a faulty report must not lose the other results
            log.exception("trigger report failed")
        return result

    async def run_one(self, trigger: Trigger, event: CardEvent) -> TriggerResult:
        """Run one trigger's command for one event, to completion or timeout."""
        self.runs += 1
        started = time.monotonic()

        def result(ok: bool, code: int | None, detail: str) -> TriggerResult:
            return TriggerResult(trigger, event, ok, code, detail, time.monotonic() - started)

        try:
            process = await asyncio.create_subprocess_exec(
                *trigger.run,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment(event, self.base_env),
                start_new_session=True,
            )
        except (FileNotFoundError, NotADirectoryError):
            return result(False, None, f"{trigger.run[0]!r} was not found")
        except PermissionError:
            return result(False, None, f"{trigger.run[0]!r} is not executable")
        except (OSError, ValueError) as error:
            return result(False, None, f"could not start {trigger.run[0]!r}: {error}")
        children.adopt(process.pid)  # ended with the program if it is still running then
        try:
            async with asyncio.timeout(self.timeout_s):
                out, err = await process.communicate()
        except TimeoutError:
            _stop(process)
            await process.wait()
            return result(False, None, f"timed out after {self.timeout_s:g} s (stopped)")
        except asyncio.CancelledError:
            _stop(process)
            raise
        finally:
            children.forget(process.pid)
        code = process.returncode
        if code == 0:
            return result(True, 0, "")
        why = f"exited with {code}" if code is not None and code > 0 else f"killed ({code})"
        line = _last_line(err) or _last_line(out)
        return result(False, code, f"{why}: {line}" if line else why)

    async def drain(self, within_s: float | None = None) -> None:
        """Wait for the runs in progress (tests, and a clean exit)."""
        while self._tasks:
            done, _ = await asyncio.wait(set(self._tasks), timeout=within_s)
            if not done:
                return

    async def aclose(self) -> None:
        """Stop: cancel runs in progress (their processes are killed) and close the store."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(self.seen.close)
