"""Capture never loses a card: with Trello unreachable or failing, the cards wait in the
outbox (the command says so and exits 0), and the next ``trello-tui sync`` (or run of the
engine) creates each of them exactly once."""

from __future__ import annotations

import io
from pathlib import Path

import httpx

from tests.capture_cli.helpers import BOARD, Cli, named
from trello_tui.capture import cli as capture_cli
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient


def test_five_captures_while_stopped_then_sync_creates_exactly_five(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli = Cli(sb, tmp_path, url)
        warm = cli.add("Warm up", "--board", BOARD)
        assert warm.returncode == 0, warm.stderr
    before = len(sb.world.cards)

    # The sandbox is stopped: nothing listens at the URL any more.
    names = [f"Offline idea {n}" for n in range(1, 6)]
    for name in names:
        done = cli.add(f"{name} #copy @jordan", "--board", BOARD)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"queued: {name!r}"), done.stdout
        assert "trello-tui sync" in done.stdout
    outbox = Outbox(tmp_path / "state" / "outbox.sqlite3")
    assert outbox.count() == 5
    assert len(sb.world.cards) == before

    # Started again (on a new port), then `trello-tui sync`: exactly five new cards.
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli.url = url
        synced = cli.run("sync")
        assert synced.returncode == 0, synced.stderr
        again = cli.run("sync")
        assert again.returncode == 0, again.stderr
    assert len(sb.world.cards) == before + 5
    jordan = next(m.id for m in sb.world.members.values() if m.username == "jordan")
    for name in names:
        (card,) = named(sb, name)
        assert card.id_members == [jordan]
    assert outbox.count() == 0


def _client(sb: Sandbox) -> TrelloClient:
    creds = sb.credentials
    return TrelloClient(
        Credentials(key=creds.key, token=creds.token),
        base_url=sb.base_url,
        transport=httpx.ASGITransport(app=sb.app),
    )


async def test_a_failing_trello_queues_and_the_next_run_sends_it_once(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    cache, outbox = tmp_path / "cache.sqlite3", tmp_path / "outbox.sqlite3"

    async def add(text: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        async with _client(sb) as client:
            code = await capture_cli.run(
                client,
                [(1, text)],
                BOARD,
                cache=Cache(cache),
                outbox=Outbox(outbox),
                out=out,
                err=err,
            )
        return code, out.getvalue(), err.getvalue()

    assert (await add("Warm up"))[0] == 0
    sb.faults.error_rate = 1.0  # every request: 503
    code, out, err = await add("Written during an outage")
    assert code == 0, err
    assert out.startswith("queued: 'Written during an outage'")
    assert not named(sb, "Written during an outage")
    assert Outbox(outbox).count() == 1

    sb.faults.error_rate = 0.0
    code, out, err = await add("Back online")
    assert code == 0, err
    # The engine sends the board's outbox in order: the queued card first, then this one.
    assert len(named(sb, "Written during an outage")) == 1
    assert len(named(sb, "Back online")) == 1
    assert out.strip().endswith("-back-online")
    assert Outbox(outbox).count() == 0


async def test_while_another_process_sends_the_card_waits_on_disk(tmp_path: Path) -> None:
    """The app (or a sync from cron) holds the outbox's sender lock: capture must not send
    behind its back (a create sent by both would exist twice); it queues and says so."""
    sb = Sandbox.create(seed="demo")
    cache, outbox = tmp_path / "cache.sqlite3", tmp_path / "outbox.sqlite3"
    out, err = io.StringIO(), io.StringIO()

    async def add(text: str) -> int:
        async with _client(sb) as client:
            return await capture_cli.run(
                client,
                [(1, text)],
                BOARD,
                cache=Cache(cache),
                outbox=Outbox(outbox),
                out=out,
                err=err,
            )

    assert await add("Warm up") == 0
    app = Outbox(outbox)
    assert app.claim_sender()  # e.g. the app, open on this board
    assert await add("Captured while the app runs") == 0, err.getvalue()
    assert "queued: 'Captured while the app runs' (another trello-tui" in out.getvalue()
    assert not named(sb, "Captured while the app runs")
    app.close()  # the app quits; the next run sends it, once
    assert await add("Afterwards") == 0, err.getvalue()
    assert len(named(sb, "Captured while the app runs")) == 1
    assert len(named(sb, "Afterwards")) == 1
    assert Outbox(outbox).count() == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_a_batch_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    out, err = io.StringIO(), _Terminal()
    lines = [(n, f"Progress {n}") for n in range(1, 4)]
    async with _client(sb) as client:
        code = await capture_cli.run(
            client,
            lines,
            BOARD,
            cache=Cache(tmp_path / "cache.sqlite3"),
            outbox=Outbox(tmp_path / "outbox.sqlite3"),
            out=out,
            err=err,
        )
    assert code == 0, err.getvalue()
    assert "created 3/3\n" in err.getvalue()
    assert len(out.getvalue().split()) == 3
