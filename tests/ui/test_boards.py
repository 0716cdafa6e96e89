"""``b``: the board picker groups boards and switches between them (and back)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.ui.harness import demo_board_id, running
from trello_tui.sandbox import Sandbox
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.boards import BoardPicker


async def _switch(app: object, pilot: object, text: str, board_id: str) -> None:
    await pilot.press("b")  # type: ignore[attr-defined]
    for _ in range(200):
        screen = app.screen  # type: ignore[attr-defined]
        if isinstance(screen, BoardPicker) and len(screen.entries) > 1:
            break
        await asyncio.sleep(0.05)
    await pilot.press(*text, "enter")  # type: ignore[attr-defined]
    for _ in range(400):
        screen = app.screen  # type: ignore[attr-defined]
        engine = app.backend.engine  # type: ignore[attr-defined]
        shown = isinstance(screen, BoardScreen) and screen.state.id == board_id
        if shown and engine is not None and engine.state is screen.state:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never switched to {board_id}")


async def test_switch_boards_and_back(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    roadmap = demo_board_id(sb)
    web = next(b.id for b in sb.world.boards.values() if b.name == "Website Relaunch")
    async with running(sb, tmp_path) as (app, pilot):
        await _switch(app, pilot, "website", web)
        await _switch(app, pilot, "roadmap", roadmap)
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        assert screen.view.focused_card_id is not None
