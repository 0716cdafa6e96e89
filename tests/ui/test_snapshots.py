"""SVG snapshots of the main screens on the demo data at 160x45, clock pinned (deterministic).

Update after an intended change: ``uv run pytest tests/ui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest

from trello_tui.trello.models import Board
from trello_tui.ui.screenshots import SCREENS, SIZE, demo_app, demo_board


@pytest.fixture(scope="module")
def board() -> Board:
    return demo_board()


@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(name: str, board: Board, snap_compare: Any) -> None:
    assert snap_compare(demo_app(board), run_before=SCREENS[name], terminal_size=SIZE)


def test_demo_board_is_deterministic(board: Board) -> None:
    again = demo_board()
    faces = [(c.name, c.pos, c.due, tuple(c.id_members) != ()) for c in board.cards]
    assert faces == [(c.name, c.pos, c.due, tuple(c.id_members) != ()) for c in again.cards]
