"""The offline cache: round trips, incremental updates, migrations, bad files, threads."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.fixtures import load_json
from trello_tui import paths
from trello_tui.store import cache as cache_module
from trello_tui.store.cache import AsyncCache, Cache, CacheWrite
from trello_tui.store.db import Schema
from trello_tui.trello.models import Board, Organization


def _board() -> Board:
    return Board.from_json(load_json("board-export-nebula-2015.json"))


def _ids(items: object) -> set[str]:
    return {item.id for item in items}  # type: ignore[attr-defined]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    board = _board()
    cache = Cache(tmp_path / "c.sqlite3")
    cache.save_board(board, last_action_id="a" * 24)
    cached = cache.load_board(board.id)
    assert cached is not None and cached.last_action_id == "a" * 24
    loaded = cached.board
    assert loaded.name == board.name
    assert _ids(loaded.cards) == _ids(board.cards)
    assert _ids(loaded.lists) == _ids(board.lists)
    assert _ids(loaded.checklists) == _ids(board.checklists)
    assert _ids(loaded.labels) == _ids(board.labels)
    assert _ids(loaded.members) == _ids(board.members)
    by_id = {c.id: c for c in board.cards}
    for card in loaded.cards:
        assert card == by_id[card.id]
        # fields the models do not know survive through the raw JSON
        assert card.to_json() == by_id[card.id].to_json()
    items = {i.id for c in loaded.checklists for i in c.check_items}
    assert items == {i.id for c in board.checklists for i in c.check_items}
    cache.close()
    assert Cache(tmp_path / "c.sqlite3").load_board(board.id) is not None


def test_incremental_updates_overlay_the_snapshot(tmp_path: Path) -> None:
    board = _board()
    cache = Cache(tmp_path / "c.sqlite3")
    cache.save_board(board)
    first, second = board.cards[0], board.cards[1]
    change = CacheWrite(board.id)
    change.cards[first.id] = first.with_changes(name="renamed", pos=1.5)
    change.cards["f" * 24] = first.with_changes(id="f" * 24, name="brand new")
    change.deleted_cards.add(second.id)
    change.last_action_id = "b" * 24
    cache.apply(change)
    cached = cache.load_board(board.id)
    assert cached is not None
    cards = {c.id: c for c in cached.board.cards}
    assert cards[first.id].name == "renamed" and cards[first.id].pos == 1.5
    assert cards["f" * 24].name == "brand new"
    assert second.id not in cards
    assert len(cards) == len(board.cards)
    assert cached.last_action_id == "b" * 24


def test_a_stale_snapshot_from_another_python_is_ignored(tmp_path: Path) -> None:
    board = _board()
    cache = Cache(tmp_path / "c.sqlite3")
    cache.save_board(board)
    cache._conn.execute("UPDATE snapshots SET python='2.7-0', blob=x'00'")
    cached = cache.load_board(board.id)
    assert cached is not None and _ids(cached.board.cards) == _ids(board.cards)


def test_unknown_board_is_none_and_my_boards_work_offline(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    assert cache.load_board("nope") is None
    board = _board()
    cache.save_my_boards([board.with_changes(lists=(), cards=())])
    assert [b.id for b in cache.my_boards()] == [board.id]
    assert cache.load_board(board.id) is None  # listed, but never fully loaded
    assert cache.find_board(board.name) == board.id
    cache.put_organizations([Organization.from_json({"id": "o1", "name": "team"})])
    assert [o.id for o in cache.organizations()] == ["o1"]
    cache.set_meta("me", "alex")
    assert cache.meta("me") == "alex"


def _aside(tmp_path: Path, name: str) -> list[Path]:
    return [p for p in tmp_path.iterdir() if p.name.startswith(name + ".")]


@pytest.mark.parametrize("kind", ["garbage", "foreign", "newer", "truncated"])
def test_bad_files_are_set_aside_and_rebuilt(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "cache.sqlite3"
    if kind == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    elif kind == "foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE songs (title TEXT)")
        conn.commit()
        conn.close()
    elif kind == "newer":
        Cache(path).close()
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version=99")
        conn.commit()
        conn.close()
    else:
        cache = Cache(path)
        cache.save_board(_board())
        cache.close()
        data = path.read_bytes()
        path.write_bytes(data[:100] + b"\xff" * 4000 + data[4100:])
    messages: list[str] = []
    cache = Cache(path, report=messages.append)
    board = _board()
    cache.save_board(board)
    assert cache.load_board(board.id) is not None
    if kind != "truncated":
        assert messages and "moved it to" in messages[0]
        assert _aside(tmp_path, "cache.sqlite3")
    if kind == "newer":
        assert "newer" in messages[0]


def test_migrates_a_version_1_file(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    v1 = Schema(cache_module.APPLICATION_ID, cache_module.SCHEMA.migrations[:1])
    from trello_tui.store.db import open_database

    conn = open_database(path, v1)
    conn.execute("INSERT INTO meta (key, value) VALUES ('me', 'alex')")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    cache = Cache(path)
    assert cache.meta("me") == "alex"
    assert cache._conn.execute("PRAGMA user_version").fetchone()[0] == 2
    board = _board()
    cache.save_board(board)
    assert cache.load_board(board.id) is not None


def test_xdg_cache_home_moves_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRELLO_TUI_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_db().is_relative_to(tmp_path / "xdg")
    cache = Cache()
    assert cache.path.is_relative_to(tmp_path / "xdg") and cache.path.exists()
    mode = cache._conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


async def test_async_cache_works_off_the_event_loop_thread(tmp_path: Path) -> None:
    cache = await AsyncCache.open(tmp_path / "c.sqlite3")
    seen: list[int] = []
    original = cache.sync.load_board

    def spy(board_id: str) -> object:
        seen.append(threading.get_ident())
        return original(board_id)

    cache.sync.load_board = spy  # type: ignore[method-assign]
    board = _board()
    await cache.save_board(board)
    loaded, _ = await asyncio.gather(cache.load_board(board.id), asyncio.sleep(0))
    assert loaded is not None and seen and seen[0] != threading.get_ident()
    await cache.close()


@pytest.mark.parametrize("damage", ["json", "pages"])
def test_damage_found_while_reading_sets_the_file_aside(tmp_path: Path, damage: str) -> None:
    board = _board()
    path = tmp_path / "cache.sqlite3"
    cache = Cache(path)
    cache.save_board(board)
    if damage == "json":
        cache._conn.execute("DELETE FROM snapshots")
        cache._conn.execute("UPDATE cards SET json='{broken' WHERE rowid=1")
    else:
        cache._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cache.close()
        data = bytearray(path.read_bytes())
        for offset in range(8192, len(data) - 4096, 4096):
            data[offset + 100 : offset + 3000] = b"\xff" * 2900
        path.write_bytes(bytes(data))
        cache = Cache(path)
    assert cache.load_board(board.id) is None
    assert cache.messages and "was damaged" in cache.messages[-1]
    assert "{" not in cache.messages[-1]  # the stored data is not echoed
    assert _aside(tmp_path, "cache.sqlite3")
    cache.save_board(board)
    assert cache.load_board(board.id) is not None
