"""``trello-tui sync``: refreshes the cache and drains the outbox, with progress on stderr."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.sync.harness import demo_board_id
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.sync import cli as sync_cli
from trello_tui.sync.ops import RenameCard
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient

ROOT = Path(__file__).resolve().parents[2]


def _client(sb: Sandbox) -> TrelloClient:
    creds = sb.credentials
    return TrelloClient(
        Credentials(key=creds.key, token=creds.token),
        base_url=sb.base_url,
        transport=httpx.ASGITransport(app=sb.app),
    )


async def test_sync_board_fills_the_cache_and_drains_the_outbox(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    card_id = next(iter(sb.world.boards[board_id].card_ids))
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    op = RenameCard(board_id, card_id=card_id, name="Renamed while offline")
    outbox.add(op.op_id, board_id, op.kind, op.to_json())
    err = io.StringIO()
    async with _client(sb) as client:
        code = await sync_cli.run(
            client,
            [sb.world.boards[board_id].name],
            False,
            cache=Cache(tmp_path / "cache.sqlite3"),
            outbox=outbox,
            err=err,
        )
    text = err.getvalue()
    assert code == 0, text
    assert "[------------------------] 0/1" in text and "[########################] 1/1" in text
    assert "0 write(s) left" in text
    assert sb.world.cards[card_id].name == "Renamed while offline"
    cached = Cache(tmp_path / "cache.sqlite3").load_board(board_id)
    assert cached is not None
    assert {c.id for c in cached.board.cards} >= set(sb.world.boards[board_id].card_ids) - {
        c for c in sb.world.boards[board_id].card_ids if sb.world.cards[c].closed
    }
    assert Cache(tmp_path / "cache.sqlite3").my_boards()


async def test_sync_all_and_unknown_board(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    err = io.StringIO()
    async with _client(sb) as client:
        code = await sync_cli.run(
            client,
            [],
            True,
            cache=Cache(tmp_path / "cache.sqlite3"),
            outbox=Outbox(tmp_path / "outbox.sqlite3"),
            err=err,
        )
        assert code == 0, err.getvalue()
        loaded = Cache(tmp_path / "cache.sqlite3").loaded_board_ids()
        mine = [b.id for b in await client.my_boards()]
        assert sorted(loaded) == sorted(b for b in mine if not sb.world.boards[b].closed)
        err = io.StringIO()
        code = await sync_cli.run(
            client,
            ["no such board"],
            False,
            cache=Cache(tmp_path / "cache.sqlite3"),
            outbox=Outbox(tmp_path / "outbox.sqlite3"),
            err=err,
        )
        assert code == 1 and "No board named 'no such board'" in err.getvalue()


def test_the_command_line(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    board = sb.world.boards[demo_board_id(sb)]
    with sb.serve_in_thread() as url:
        env = dict(
            os.environ,
            TRELLO_API_KEY=sb.credentials.key,
            TRELLO_TOKEN=sb.credentials.token,
            TRELLO_API_URL=url,
            TRELLO_TUI_CACHE_DIR=str(tmp_path / "cache"),
            TRELLO_TUI_STATE_DIR=str(tmp_path / "state"),
            TRELLO_TUI_CONFIG_DIR=str(tmp_path / "config"),
        )
        done = subprocess.run(
            [sys.executable, "-m", "trello_tui", "sync", "--board", board.short_link],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert "1/1" in done.stderr and board.name in done.stderr
    assert sb.credentials.token not in done.stderr + done.stdout
    assert Cache(tmp_path / "cache" / "cache.sqlite3").load_board(board.id) is not None
    no_creds = subprocess.run(
        [sys.executable, "-m", "trello_tui", "sync"],
        cwd=ROOT,
        env={k: v for k, v in env.items() if k not in ("TRELLO_API_KEY", "TRELLO_TOKEN")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert no_creds.returncode == 2 and "trello-tui auth" in no_creds.stderr


async def test_sync_leaves_the_outbox_to_a_running_app(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    card_id = next(iter(sb.world.boards[board_id].card_ids))
    app_outbox = Outbox(tmp_path / "outbox.sqlite3")
    assert app_outbox.claim_sender()  # the app is running and sending
    op = RenameCard(board_id, card_id=card_id, name="The app sends this")
    app_outbox.add(op.op_id, board_id, op.kind, op.to_json())
    err = io.StringIO()
    async with _client(sb) as client:
        code = await sync_cli.run(
            client,
            [board_id],
            False,
            cache=Cache(tmp_path / "cache.sqlite3"),
            outbox=Outbox(tmp_path / "outbox.sqlite3"),
            err=err,
        )
    assert code == 1 and "left to the trello-tui that is running" in err.getvalue()
    assert sb.world.cards[card_id].name != "The app sends this"
    assert Cache(tmp_path / "cache.sqlite3").load_board(board_id) is not None
