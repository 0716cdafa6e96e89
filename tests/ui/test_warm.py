"""The screens a board's keys open are imported once the board has painted, off the loop."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from trello_tui.ui import warm

# A fresh interpreter: in the test process these modules are long imported.
SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, tempfile, threading
    from pathlib import Path
    from tests.ui.harness import running
    from trello_tui.sandbox import Sandbox
    from trello_tui.ui.screens.board import BoardScreen

    CARD = "trello_tui.ui.screens.card"
    importers = []

    class Note:  # which thread imports the card screen
        def find_spec(self, name, path=None, target=None):
            if name == CARD:
                importers.append(threading.current_thread().name)

    sys.meta_path.insert(0, Note())

    async def main():
        async with running(Sandbox.create(seed="demo"), Path(tempfile.mkdtemp())) as (app, pilot):
            while not isinstance(app.screen, BoardScreen):
                await asyncio.sleep(0.02)
            for _ in range(500):
                warmers = [t for t in threading.enumerate() if t.name == "trello-tui-warm"]
                if importers and not warmers:
                    break
                await asyncio.sleep(0.02)
            print(" ".join(importers), sys.modules[CARD].CardScreen.__name__)

    asyncio.run(main())
    """
)


def test_the_card_screen_is_imported_after_the_board_paints_without_a_key() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # imported once, by the warm-up thread, and whole (no key was pressed)
    assert done.stdout.split() == ["trello-tui-warm", "CardScreen"]


def test_a_module_that_fails_to_import_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(warm, "MODULES", ("trello_tui.no_such_module", "json"))
    warm._import_all()
    assert "trello_tui.no_such_module" in caplog.text
