"""SVG snapshots of the agenda, its month grid and my cards on the demo data (160x45, clock
pinned), read from a cache holding every demo board.

Update after an intended change:
``uv run pytest tests/ui/test_across_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trello_tui.trello.models import Board
from trello_tui.ui.screenshots import CACHED_SCREENS, SIZE, demo_app, demo_board, demo_cache


@pytest.fixture(scope="module")
def board() -> Board:
    return demo_board()


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_cache(tmp_path_factory.mktemp("demo") / "cache.sqlite3")


@pytest.mark.parametrize("name", list(CACHED_SCREENS))
def test_screen(name: str, board: Board, cache: Path, snap_compare: Any) -> None:
    app = demo_app(board, cache)
    assert snap_compare(app, run_before=CACHED_SCREENS[name], terminal_size=SIZE)
