"""``trello-tui export`` run as the user runs it: a subprocess whose directories are temporary.

The cache is filled in-process the way opening a board fills it; the command then runs with
``TRELLO_TUI_{CACHE,STATE,CONFIG}_DIR`` pointing there and no credentials at all (an export
never touches the network).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.export.helpers import board_id, cache_at, cache_boards
from trello_tui.export import to_csv, trello_json
from trello_tui.export.command import export
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.models import Board

ROOT = Path(__file__).resolve().parents[2]
NAME = "Website Relaunch"
BIG = "Product Roadmap"


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRELLO_")}
    env.update(
        TRELLO_TUI_CACHE_DIR=str(home / "cache"),
        TRELLO_TUI_STATE_DIR=str(home / "state"),
        TRELLO_TUI_CONFIG_DIR=str(home / "config"),
    )
    return env


def run(
    home: Path, *args: str, program: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = program or [sys.executable, "-m", "trello_tui"]
    return subprocess.run(
        [*command, "export", *args],
        cwd=ROOT,
        env=env_for(home),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user whose cache holds two demo boards (and only lists a third, Personal)."""
    folder = tmp_path_factory.mktemp("user")
    sb = Sandbox.create("demo")
    cache = cache_at(folder / "cache")
    asyncio.run(cache_boards(sb, cache, (NAME, BIG)))
    personal = sb.world.boards[board_id(sb, "Personal")]
    # in the board picker's list (as `sync` or the app saves it) but never opened
    cache.save_my_boards([Board(id=personal.id, name=personal.name)])
    cache.close()
    return folder


def cached(home: Path) -> Board:
    cache = Cache(home / "cache" / "cache.sqlite3")
    board_id = cache.find_board(NAME)
    assert board_id is not None
    found = cache.load_board(board_id)
    cache.close()
    assert found is not None
    return found.board


def test_prints_the_json_export_by_name_short_link_or_id(home: Path) -> None:
    board = cached(home)
    want = trello_json(board)
    for key in (NAME, board.short_link, board.id):
        done = run(home, key)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        assert json.loads(done.stdout) == want
    assert len(want["cards"]) == 24 and want["lists"] and want["checklists"]


def test_writes_csv_to_a_file_byte_for_byte(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.csv"
    done = run(home, NAME, "--format", "csv", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert out.read_bytes() == to_csv(cached(home)).encode("utf-8")  # CRLF rows kept
    assert f"Exported '{NAME}' (3 lists, 24 cards) as csv to {out}" in done.stderr


def test_markdown_through_the_installed_command(home: Path) -> None:
    script = Path(sys.executable).parent / "trello-tui"  # what `uv run trello-tui` runs
    program = [str(script)] if script.exists() else None
    done = run(home, NAME, "--format", "markdown", program=program)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"# {NAME}\n") and "\n## To do\n" in done.stdout


def test_an_uncached_board_says_what_to_do(home: Path) -> None:
    done = run(home, "Nope board")
    assert done.returncode == 1 and done.stdout == ""
    assert "No board 'Nope board' in the local cache." in done.stderr
    assert "`trello-tui sync --board 'Nope board'`" in done.stderr
    listed = run(home, "Personal")  # known from the board list, cards never loaded
    assert listed.returncode == 1 and listed.stdout == ""
    assert "cards were never loaded" in listed.stderr and "sync --board Personal" in listed.stderr
    assert "Traceback" not in done.stderr + listed.stderr


def test_without_any_cache_nothing_is_created(tmp_path: Path) -> None:
    done = run(tmp_path, NAME)
    assert done.returncode == 1 and done.stdout == ""
    assert "No local cache yet" in done.stderr and "trello-tui sync --board" in done.stderr
    assert not (tmp_path / "cache").exists()


def test_pending_writes_are_mentioned(home: Path, tmp_path: Path) -> None:
    board = cached(home)
    state = home / "state"
    state.mkdir(exist_ok=True)
    outbox = Outbox(state / "outbox.sqlite3")
    outbox.add("op-1", board.id, "rename_card", {"name": "x"})
    outbox.close()
    try:
        done = run(home, NAME, "--output", str(tmp_path / "b.json"))
        assert done.returncode == 0, done.stderr
        assert "1 change(s) to this board are not yet confirmed by Trello" in done.stderr
    finally:
        (state / "outbox.sqlite3").unlink()


def test_export_never_loads_textual(home: Path, tmp_path: Path) -> None:
    code = (
        "import sys; from trello_tui.cli import main; "
        f"rc = main(['export', {NAME!r}, '--output', {str(tmp_path / 'x.md')!r}, "
        "'--format', 'markdown']); print(rc, 'textual' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env_for(home), capture_output=True, text=True
    )
    assert done.stdout.split() == ["0", "False"], done.stderr


def test_an_unwritable_output_is_reported(home: Path, tmp_path: Path) -> None:
    done = run(home, NAME, "--output", str(tmp_path / "no" / "such" / "dir.json"))
    assert done.returncode == 1 and "Cannot write" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_reader_that_stops_early_is_no_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``trello-tui export BOARD | head -c 10``: the closed pipe is no error (exit 0).

    In process, with a stdout whose reader has gone: this machine's pipes never raise EPIPE
    to a subprocess, so a real ``| head`` could not show the difference.
    """

    class Gone(io.BytesIO):
        def write(self, data: Any) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setenv("TRELLO_TUI_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("TRELLO_TUI_STATE_DIR", str(home / "state"))
    err = io.StringIO()
    assert export(BIG, "json", out=Gone(), err=err) == 0
    assert err.getvalue() == ""
