"""Acceptance: a teammate's move to Done, arriving through polling, runs the trigger once per
move with the card's name in the environment — in-process and as the real ``trello-tui
watch`` process against a loopback sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import tomli_w

from tests.triggers.helpers import board_id, client_for, list_id
from tests.triggers.test_runner import EVIL, lines, recorder
from trello_tui.automation.notify import Me, Notifier
from trello_tui.automation.triggers import SeenStore, TriggerResult, TriggerRunner
from trello_tui.automation.watcher import Watch, pick_boards
from trello_tui.config.settings import Trigger
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.client import TrelloClient

ROOT = Path(__file__).resolve().parents[2]
INTERVAL = 0.2


async def _until(predicate: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.02)


def _cards(sb: Sandbox, board: str, list_name: str) -> list[str]:
    lst = sb.world.lists[list_id(sb, board, list_name)]
    return [c for c in lst.card_ids if not sb.world.cards[c].closed]


async def test_teammate_moves_through_polling_run_the_trigger_once_each(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    board = board_id(sb)
    done = list_id(sb, board, "Done")
    doing = list_id(sb, board, "Doing")
    out = tmp_path / "ran.jsonl"
    fields = ("TRELLO_CARD_NAME", "TRELLO_EVENT", "TRELLO_ACTOR", "TRELLO_LIST_BEFORE")
    trigger = Trigger("card_moved", recorder(out, *fields), list="Done", line=1)
    stdout, stderr = io.StringIO(), io.StringIO()
    seen = tmp_path / "seen.sqlite3"
    first, second, mine = _cards(sb, board, "To do")[:2] + _cards(sb, board, "Doing")[:1]
    async with client_for(sb) as alex, client_for(sb, "sam") as sam:
        await sam.update_card(second, name=EVIL)
        watch = Watch(
            alex,
            [trigger],
            out=stdout,
            err=stderr,
            interval_s=INTERVAL,
            full_every_s=600,
            cache=Cache(tmp_path / "cache.sqlite3"),
            outbox=Outbox(tmp_path / "outbox.sqlite3"),
            seen=SeenStore(seen),
        )
        [target] = pick_boards(await alex.my_boards(), ["website relaunch"])[0]
        stop = asyncio.Event()
        await watch.start([target])
        running = asyncio.create_task(watch.run(stop))
        try:
            engine = watch.engines[0]
            await _until(lambda: engine.state is not None, 10, "the board loaded")
            await sam.move_card(first, "top", id_list=done)
            await _until(lambda: len(lines(out)) == 1, 10, "the first move ran")
            await sam.move_card(second, "bottom", id_list=done)
            await sam.move_card(first, "top", id_list=doing)  # out of Done: no run
            await sam.move_card(first, "top", id_list=done)  # and back: a new move, a new run
            await alex.move_card(mine, "top", id_list=done)  # the user's own move runs it too
            await _until(lambda: len(lines(out)) == 4, 10, "four moves ran")
            polls = watch.poller.polls
            await _until(lambda: watch.poller.polls >= polls + 3, 10, "three more polls")
            await watch.runner.drain(5)
        finally:
            stop.set()
            await running
            await watch.aclose()
    ran = lines(out)
    first_name = sb.world.cards[first].name
    mine_name = sb.world.cards[mine].name
    assert sorted(map(tuple, ran)) == sorted(  # type: ignore[arg-type]
        [
            (first_name, "card_moved", "sam", "To do"),
            (EVIL, "card_moved", "sam", "To do"),
            (first_name, "card_moved", "sam", "Doing"),
            (mine_name, "card_moved", "alex", "Doing"),
        ]
    )
    assert ran[0] == [first_name, "card_moved", "sam", "To do"]  # the first, alone
    printed = stdout.getvalue().splitlines()
    assert sum("card_moved" in line for line in printed) == 5  # the move to Doing is printed
    assert stderr.getvalue().count("ran for card_moved") == 4, stderr.getvalue()

    # After a restart, the same change delivered again (a webhook, a replayed poll) runs
    # nothing: the claim is on disk.
    results: list[TriggerResult] = []
    runner = TriggerRunner([trigger], results.append, seen=SeenStore(seen))
    async with client_for(sb) as alex:
        actions = await alex.board_actions(board, limit=20)
        state_board = await alex.load_board(board)
    from trello_tui.sync.state import BoardState

    notifier = Notifier(Me(None, "alex"), runner.submit)
    notifier.actions(BoardState(state_board), actions)
    await runner.drain(5)
    await runner.aclose()
    assert results == [] and len(lines(out)) == 4


class _Lines:
    """Lines of a pipe, read on a thread, waited for with a deadline."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: io.TextIOBase) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, within: float) -> str:
        deadline = time.monotonic() + within
        for line in self.lines:
            if text in line:
                return line
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {text!r} within {within} s: {self.lines}") from None
            if line is None:
                raise AssertionError(f"stream ended without {text!r}: {self.lines}")
            self.lines.append(line)
            if text in line:
                return line

    def rest(self, within: float = 2.0) -> list[str]:
        with contextlib.suppress(AssertionError):
            self.wait_for("\0never\0", within)
        return self.lines


def test_the_watch_command(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    board = board_id(sb)
    name = sb.world.boards[board].name
    card = _cards(sb, board, "To do")[0]
    out = tmp_path / "ran.jsonl"
    config = tmp_path / "config"
    config.mkdir()
    triggers = [
        {"on": "card_moved", "list": "done", "run": list(recorder(out, "TRELLO_CARD_NAME"))},
        {"on": "card_moved", "list": "Done", "run": [sys.executable, "-c", "raise SystemExit(3)"]},
        {"on": "card_created", "run": ["trello-tui-no-such-program"]},
    ]
    written = tomli_w.dumps({"triggers": triggers})
    (config / "config.toml").write_text(written)
    with sb.serve_in_thread() as url:
        env = dict(
            os.environ,
            PYTHONUNBUFFERED="1",
            TRELLO_API_KEY=sb.credentials.key,
            TRELLO_TOKEN=sb.credentials.token,
            TRELLO_API_URL=url,
            TRELLO_TUI_CACHE_DIR=str(tmp_path / "cache"),
            TRELLO_TUI_STATE_DIR=str(tmp_path / "state"),
            TRELLO_TUI_CONFIG_DIR=str(config),
        )
        cmd = [sys.executable, "-m", "trello_tui", "watch", "--board", name, "--interval", "0.3"]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stderr is not None
        stdout, stderr = _Lines(proc.stdout), _Lines(proc.stderr)  # type: ignore[arg-type]
        try:
            assert "3 triggers" in stderr.wait_for("watching", 30)
            third = [n for n, t in enumerate(written.splitlines(), 1) if t == "[[triggers]]"][2]
            missing = f"line {third}: 'trello-tui-no-such-program' is not an executable"
            assert missing in stderr.wait_for("no-such-program", 5)
            auth = {"key": sb.credentials.key, "token": sb.credentials.tokens["sam"]}
            time.sleep(1.0)  # a poll or two: the board is loaded
            r = httpx.put(f"{url}/cards/{card}", params={**auth, "name": EVIL})
            assert r.status_code == 200
            r = httpx.put(
                f"{url}/cards/{card}",
                params={**auth, "idList": list_id(sb, board, "Done"), "pos": "top"},
            )
            assert r.status_code == 200
            line = stdout.wait_for("card_moved", 20)
            assert "To do → Done" in line and "by Sam" in line
            stderr.wait_for("ran for card_moved", 20)
            stderr.wait_for("failed for card_moved", 20)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=20)
            finally:
                if proc.poll() is None:
                    proc.kill()
        errors = stderr.rest(1.0)
        printed = stdout.rest(1.0)
    assert code == 0, errors
    assert lines(out) == [[EVIL]]
    assert any("exited with 3" in e and "config.toml line" in e for e in errors), errors
    assert sum("card_moved" in p for p in printed) == 1
    assert not any("Traceback" in e for e in errors), errors
    everything = "\n".join(errors + printed)
    assert sb.credentials.token not in everything and sb.credentials.key not in everything
    unreachable = subprocess.run(
        [sys.executable, "-m", "trello_tui", "watch", "--board", "no such board"],
        cwd=ROOT,
        env=dict(env, TRELLO_API_URL="http://127.0.0.1:9"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unreachable.returncode == 1 and "Could not start watching" in unreachable.stderr


def test_watch_never_imports_textual() -> None:
    code = (
        "import sys, trello_tui.automation.watch, trello_tui.automation.watcher; "
        "print('textual' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_json_lines() -> None:
    from tests.triggers.test_runner import event
    from trello_tui.automation.watcher import event_line

    data = json.loads(event_line(event(card_name=EVIL), as_json=True))
    assert data["event"] == "card_moved" and data["card"]["name"] == EVIL
    assert data["list"]["name"] == "Done" and data["listBefore"] == "Doing"


async def test_a_restarted_watcher_catches_up_from_the_cache(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    board = board_id(sb)
    done = list_id(sb, board, "Done")
    out = tmp_path / "ran.jsonl"
    trigger = Trigger("card_moved", recorder(out, "TRELLO_CARD_NAME"), list="Done")
    card = _cards(sb, board, "To do")[0]

    async def session(alex: TrelloClient, until: Callable[[Watch], bool]) -> Watch:
        watch = Watch(
            alex,
            [trigger],
            out=io.StringIO(),
            err=io.StringIO(),
            interval_s=INTERVAL,
            full_every_s=600,
            cache=Cache(tmp_path / "cache.sqlite3"),
            outbox=Outbox(tmp_path / "outbox.sqlite3"),
            seen=SeenStore(tmp_path / "seen.sqlite3"),
        )
        stop = asyncio.Event()
        await watch.start([b for b in await alex.my_boards() if b.id == board])
        running = asyncio.create_task(watch.run(stop))
        try:
            await _until(lambda: until(watch), 10, "the watcher's work")
            await watch.runner.drain(5)
        finally:
            stop.set()
            await running
            await watch.aclose()
        return watch

    async with client_for(sb) as alex, client_for(sb, "sam") as sam:
        await session(alex, lambda w: w.engines[0].last_action_id is not None)
        await sam.move_card(card, "top", id_list=done)  # while nothing watches
        await session(alex, lambda w: len(lines(out)) == 1)
    assert lines(out) == [[sb.world.cards[card].name]]


async def test_a_stop_during_a_slow_start_returns_at_once(tmp_path: Path) -> None:
    from trello_tui.automation.watcher import run

    sb = Sandbox.create(seed="demo")
    sb.config.faults.update({"latency_s": 30.0})
    stop = asyncio.Event()
    async with client_for(sb) as alex:
        started = time.monotonic()
        asyncio.get_running_loop().call_later(0.3, stop.set)
        code = await run(
            alex,
            [],
            [],
            stop,
            out=io.StringIO(),
            err=io.StringIO(),
            cache=Cache(tmp_path / "cache.sqlite3"),
            outbox=Outbox(tmp_path / "outbox.sqlite3"),
            seen=SeenStore(tmp_path / "seen.sqlite3"),
        )
    assert code == 0 and time.monotonic() - started < 5


async def test_a_webhook_delivery_and_the_poll_after_it_run_the_trigger_once(
    tmp_path: Path,
) -> None:
    from tests.sync.harness import rig
    from trello_tui.live.poller import Poller
    from trello_tui.live.updates import merge_into
    from trello_tui.live.webhooks import Delivery

    sb = Sandbox.create(seed="demo")
    board = board_id(sb)
    out = tmp_path / "ran.jsonl"
    trigger = Trigger("card_moved", recorder(out, "TRELLO_CARD_NAME"), list="Done")
    card = _cards(sb, board, "To do")[0]
    async with rig(sb, tmp_path, board_id=board) as r:
        runner = TriggerRunner([trigger], lambda result: None, seen=SeenStore(tmp_path / "s.db"))
        notifier = Notifier(Me(None, "alex"), runner.submit)
        notifier.attach(r.engine)
        async with client_for(sb, "sam") as sam:
            await sam.move_card(card, "top", id_list=list_id(sb, board, "Done"))
            [action] = await sam.board_actions(board, limit=1)
        deliver = merge_into(lambda model: r.engine if model == board else None)
        await deliver(Delivery(board, action, None, "/x", time.time()))
        await Poller(r.queue, [r.engine]).poll_once()  # the poll brings the same action
        await deliver(Delivery(board, action, None, "/x", time.time()))  # and Trello retries
        await runner.drain(10)
        await runner.aclose()
    assert lines(out) == [[sb.world.cards[card].name]]
