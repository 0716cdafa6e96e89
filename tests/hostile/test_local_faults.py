"""Local faults are not corruption: a full disk, a read-only folder, a locked outbox or random
bytes in the cache each give a message that names the file and the fix and a truthful exit
code, and every write queued before the fault reaches Trello exactly once after it is gone.

Real files throughout: the disk that fills up is a 256 KiB tmpfs, a read-only folder is a
read-only bind mount (root ignores file modes, not a read-only mount), the lock is held by
another process, and the commands run as subprocesses against a sandbox on loopback. These
tests need to mount (CI runs as root); without that they fail rather than skip.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.capture_cli.helpers import BOARD, Cli, named
from trello_tui.sandbox import Sandbox
from trello_tui.store.outbox import Outbox

STORE_FAULT = 74  # EX_IOERR: the outbox can't be written
QUEUED = ["Queued one", "Queued two", "Queued three"]


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"these tests mount real file systems (run as root): {done.stderr.strip()}")


def _umount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@contextmanager
def small_disk(folder: Path, size: str = "256k") -> Iterator[Path]:
    """``folder`` is a tmpfs of ``size`` for the duration (unmounted even on failure)."""
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        _umount(folder)


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` is read-only (a read-only bind mount of itself) for the duration."""
    _mount("--bind", str(folder), str(folder))
    try:
        _mount("-o", "remount,bind,ro", str(folder))
        probe = folder / "probe"
        with pytest.raises(OSError):
            probe.write_text("x")  # really read-only, even for root
        yield folder
    finally:
        _umount(folder)


def fill(folder: Path) -> Path:
    """Fill the disk of ``folder`` to the last byte; returns the file to delete."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def queue_offline(sb: Sandbox, cli: Cli) -> None:
    """The board cached, then three cards captured while Trello is unreachable."""
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli.url = url
        warm = cli.add("Warm up", "--board", BOARD)
        assert warm.returncode == 0, warm.stderr
    # stopped: nothing listens at the URL any more
    done = cli.add("-", "--board", BOARD, stdin="\n".join(QUEUED) + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("queued:") == 3, done.stdout
    assert not any(named(sb, name) for name in QUEUED)


def outbox_count(cli: Cli) -> int:
    outbox = Outbox(cli.home / "state" / "outbox.sqlite3")
    try:
        return outbox.count()
    finally:
        outbox.close()


def assert_sent_once(sb: Sandbox, cli: Cli) -> None:
    """After the fault: ``sync`` sends every queued card, each exactly once."""
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli.url = url
        synced = cli.run("sync")
        assert synced.returncode == 0, synced.stderr
        again = cli.run("sync")
        assert again.returncode == 0, again.stderr
    for name in QUEUED:
        assert len(named(sb, name)) == 1, name
    assert outbox_count(cli) == 0


def assert_message(result: subprocess.CompletedProcess[str], path: Path, fix: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert str(path) in result.stderr, result.stderr
    assert fix in result.stderr, result.stderr


def test_a_full_disk_keeps_every_queued_write(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    cli = Cli(sb, tmp_path, "")
    outbox = tmp_path / "state" / "outbox.sqlite3"
    late = "Written on a full disk"
    with small_disk(tmp_path / "state") as state:
        queue_offline(sb, cli)
        filler = fill(state)
        with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
            cli.url = url
            added = cli.add(late, "--board", BOARD)
            assert added.returncode == STORE_FAULT, added.stderr
            assert_message(added, outbox, "the disk is full. Free some space")
            # SQLite may still find room for the new row (a -wal left with slack), never
            # for marking it sent: the card is then reported queued, and is kept too.
            queued = f"queued: {late!r}" in added.stdout
            kept = 4 if queued else 3
            assert f"the {kept} write(s) waiting in it are kept" in added.stderr
            assert ("Nothing was sent" if queued else "Nothing new was queued") in added.stderr
            synced = cli.run("sync")
            assert synced.returncode == STORE_FAULT, synced.stderr
            assert_message(synced, outbox, "the disk is full. Free some space")
        assert not any(named(sb, name) for name in [*QUEUED, late])
        assert not list(state.glob("outbox.sqlite3.*-*"))  # nothing was set aside
        filler.unlink()
        assert outbox_count(cli) == kept
        assert_sent_once(sb, cli)
    assert len(named(sb, late)) == (1 if queued else 0)


def test_a_read_only_state_folder_keeps_every_queued_write(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    cli = Cli(sb, tmp_path, "")
    queue_offline(sb, cli)
    outbox = tmp_path / "state" / "outbox.sqlite3"
    with read_only(tmp_path / "state"), sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli.url = url
        added = cli.add("Written to a read-only folder", "--board", BOARD)
        assert added.returncode == STORE_FAULT, added.stderr
        assert_message(added, outbox, "is read-only. Make it writable again")
        assert "the 3 write(s) waiting in it are kept" in added.stderr
        synced = cli.run("sync")
        assert synced.returncode == STORE_FAULT, synced.stderr
        assert_message(synced, outbox, "is read-only. Make it writable again")
        # export only reads: it still exports, counting the writes the folder keeps
        exported = cli.run("export", BOARD, "--format", "markdown")
        assert exported.returncode == 0, exported.stderr
        assert "Traceback" not in exported.stderr
        assert "Note: 3 change(s) to this board are not yet confirmed" in exported.stderr
        # watch needs a writable outbox (triggers may write): the file and the fix, 74
        watched = cli.run("watch", "--board", BOARD, timeout=30)
        assert watched.returncode == STORE_FAULT, watched.stderr
        assert_message(watched, outbox, "is read-only. Make it writable again")
    assert not any(named(sb, name) for name in QUEUED)
    assert_sent_once(sb, cli)


def test_a_read_only_cache_folder_still_sends_and_says_so(tmp_path: Path) -> None:
    """The cache is only a copy: the commands carry on from memory, say what to fix, and the
    queued writes go out (once) during the fault already."""
    sb = Sandbox.create(seed="demo")
    cli = Cli(sb, tmp_path, "")
    queue_offline(sb, cli)
    cache = tmp_path / "cache" / "cache.sqlite3"
    with read_only(tmp_path / "cache"), sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli.url = url
        added = cli.add("Written beside a read-only cache", "--board", BOARD)
        assert added.returncode == 0, added.stderr
        assert added.stdout.strip().endswith("-written-beside-a-read-only-cache"), added.stdout
        assert_message(added, cache, "is read-only. Make it writable again")
        assert "used from memory and not saved" in added.stderr
        synced = cli.run("sync")
        assert synced.returncode == 0, synced.stderr
        assert_message(synced, cache, "is read-only. Make it writable again")
    assert_sent_once(sb, cli)
    assert len(named(sb, "Written beside a read-only cache")) == 1


def test_a_locked_outbox_is_waited_for_then_named(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    cli = Cli(sb, tmp_path, "")
    queue_offline(sb, cli)
    outbox = tmp_path / "state" / "outbox.sqlite3"
    hold = (
        "import sqlite3, sys\n"
        f"conn = sqlite3.connect({str(outbox)!r}, isolation_level=None)\n"
        "conn.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
            cli.url = url
            synced = cli.run("sync")  # waits 5 s for the lock, then gives up
        assert synced.returncode == STORE_FAULT, synced.stderr
        assert_message(synced, outbox, "is locked by another program")
        assert "the 3 write(s) waiting in it are kept" in synced.stderr
    finally:
        holder.communicate("\n", timeout=10)
    assert not any(named(sb, name) for name in QUEUED)
    assert_sent_once(sb, cli)


def test_random_bytes_in_the_cache_set_it_aside_and_the_card_is_still_made(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    cli = Cli(sb, tmp_path, "")
    queue_offline(sb, cli)
    cache = tmp_path / "cache" / "cache.sqlite3"
    data = bytearray(cache.read_bytes())
    rnd = random.Random(19)
    for page in range(2, len(data) // 4096 - 1):  # every page but the schema and the last
        data[page * 4096 + 100 : page * 4096 + 612] = rnd.randbytes(512)
    cache.write_bytes(bytes(data))
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli.url = url
        added = cli.add("Written after the damage", "--board", BOARD)
    assert added.returncode == 0, added.stderr
    assert "Traceback" not in added.stderr, added.stderr
    assert "cache.sqlite3" in added.stderr and "moved it to cache.sqlite3.unusable-" in added.stderr
    assert list(cache.parent.glob("cache.sqlite3.unusable-*"))  # kept, for a look
    assert len(named(sb, "Written after the damage")) == 1
    assert_sent_once(sb, cli)


def test_a_damaged_outbox_is_salvaged_not_thrown_away(tmp_path: Path) -> None:
    """An outbox SQLite finds damaged (quick_check) has its readable rows copied into the
    fresh file before it is moved aside: the queued writes still go, once."""
    sb = Sandbox.create(seed="demo")
    cli = Cli(sb, tmp_path, "")
    queue_offline(sb, cli)
    path = tmp_path / "state" / "outbox.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name='ops_by_board'"
        ).fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * 4096 : root * 4096] = random.Random(7).randbytes(4096)
    path.write_bytes(bytes(data))
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli.url = url
        synced = cli.run("sync")
    assert synced.returncode == 0, synced.stderr
    assert "with the 3 write(s) still readable in it" in synced.stderr, synced.stderr
    assert list(path.parent.glob("outbox.sqlite3.unusable-*"))
    assert_sent_once(sb, cli)


async def test_the_app_opens_read_only_from_what_it_can_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cache and state folder read-only: the app still starts, shows the cached board and
    the write waiting in the outbox, refuses new writes with the fix, and sends nothing;
    once the folder is writable again the waiting write goes, once."""
    import asyncio
    import time

    import httpx

    from tests.sync.harness import rig
    from trello_tui.store.cache import Cache
    from trello_tui.sync.ops import RenameCard
    from trello_tui.trello.auth import Credentials
    from trello_tui.trello.client import TrelloClient
    from trello_tui.ui.app import TrelloApp
    from trello_tui.ui.backend import Backend
    from trello_tui.ui.screens.board import BoardScreen

    sb = Sandbox.create(seed="demo")
    data = tmp_path / "data"
    async with rig(sb, data) as online:  # the cache filled
        state = online.engine.state
        assert state is not None
        card = state.cards_in(state.open_lists()[0].id)[0]
    async with rig(sb, data, offline=True) as offline:  # one write left waiting
        await offline.engine.submit(RenameCard(state.id, card_id=card.id, name="Renamed later"))
    monkeypatch.setenv("TRELLO_TUI_STATE_DIR", str(data))
    creds = sb.credentials

    def client() -> TrelloClient:
        transport = httpx.ASGITransport(app=sb.app)
        return TrelloClient(
            Credentials(key=creds.key, token=creds.token), sb.base_url, transport=transport
        )

    with read_only(data):
        backend = Backend(client, Cache(data / "cache.sqlite3"), None, me=creds.me, poll=False)
        app = TrelloApp(backend, board_key=state.id, me=creds.me)
        async with app.run_test(size=(160, 45)) as pilot:
            deadline = time.monotonic() + 15
            while not (
                backend.engine is not None
                and app.state is backend.engine.state is not None
                and isinstance(app.screen, BoardScreen)
            ):
                assert time.monotonic() < deadline, "the board never showed"
                await asyncio.sleep(0.02)
            await pilot.pause()
            engine = backend.engine
            assert len(engine.pending_ops()) == 1
            assert app.state.cards[card.id].name == "Renamed later"  # shown, pending
            app.screen.view.focus_column(0, 0)
            await pilot.press("greater_than_sign")
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert any(str(data / "outbox.sqlite3") in m and "read-only" in m for m in messages)
            await asyncio.sleep(0.3)
        assert sb.world.cards[card.id].name != "Renamed later"  # nothing was sent
        assert sb.world.cards[card.id].id_list == state.open_lists()[0].id
    async with rig(sb, data) as back:
        assert await back.engine.settled(5)
    assert sb.world.cards[card.id].name == "Renamed later"
    outbox = Outbox(data / "outbox.sqlite3")
    assert outbox.count() == 0
    outbox.close()
