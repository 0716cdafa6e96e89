"""The heap keeper: frozen while a board is shown, never left frozen, no garbage kept."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from tests.ui.harness import running
from trello_tui.sandbox import Sandbox
from trello_tui.ui import heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_holders_freeze_until_the_last_lets_go() -> None:
    a, b = object(), object()
    heap.hold(a)
    heap.hold(b)
    assert gc.get_freeze_count() > 0
    heap.let_go(a)
    assert gc.get_freeze_count() > 0  # b still holds it
    heap.let_go(a)  # twice is harmless
    heap.let_go(b)
    assert gc.get_freeze_count() == 0


def test_a_full_collection_while_held_freezes_only_the_living() -> None:
    owner = object()
    heap.hold(owner)
    try:
        dead = _Node()
        gone = weakref.ref(dead)
        del dead
        gc.collect()  # the survivors are frozen after it; the dead cycle is freed by it
        assert gone() is None
        frozen = gc.get_freeze_count()
        alive = [_Node() for _ in range(100)]
        gc.collect()
        assert gc.get_freeze_count() >= frozen + len(alive)  # made since, and alive: frozen
    finally:
        heap.let_go(owner)
    assert gc.get_freeze_count() == 0


async def test_the_board_holds_the_heap_and_the_app_lets_it_go(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (_app, pilot):
        await pilot.pause(0.1)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


async def test_a_board_gone_before_its_first_paint_holds_nothing(tmp_path: Path) -> None:
    from trello_tui.ui.screens.board import BoardScreen

    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        await pilot.pause(0.1)
        state = app.state
        assert state is not None
        gone = BoardScreen(state)
        gone.on_unmount()  # taken down before the paint its hold waited for
        gone.hold_heap()
        assert id(gone) not in heap._holders
        assert id(app.screen) in heap._holders  # the board on screen still holds it
    assert gc.get_freeze_count() == 0
