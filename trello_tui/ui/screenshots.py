"""Render the main screens on the demo data into screenshots/ (SVG; PNG with rsvg-convert).

    uv run python -m trello_tui.ui.screenshots [OUT_DIR]

The demo world is built by the sandbox's ``demo`` seed with its clock pinned to ``DEMO_NOW``
(the seed dates cards relative to "now"), loaded through the real client over an in-process
transport, and shown with the app's clock pinned to the same instant — so every run, and the
snapshot tests that share ``demo_board``, draw exactly the same pictures.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Board, Organization

DEMO_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SIZE = (160, 45)
DEMO_BOARD = "Product Roadmap"


def demo_board() -> Board:
    """The demo seed's roadmap board, as the client parses it, dated around DEMO_NOW."""
    import httpx

    from trello_tui.sandbox import Sandbox
    from trello_tui.trello.auth import Credentials
    from trello_tui.trello.client import TrelloClient

    # The seed reads time.time() for its due dates; pin it so the data is the same every run.
    with mock.patch("time.time", return_value=DEMO_NOW.timestamp()):
        sandbox = Sandbox.create(seed="demo")
    board_id = next(b.id for b in sandbox.world.boards.values() if b.name == DEMO_BOARD)

    async def load() -> Board:
        creds = sandbox.credentials
        transport = httpx.ASGITransport(app=sandbox.app)
        async with TrelloClient(
            Credentials(key=creds.key, token=creds.token), sandbox.base_url, transport=transport
        ) as client:
            return await client.load_board(board_id)

    return asyncio.run(load())


def demo_app(board: Board | None = None, cache: Path | None = None) -> object:
    """The app on the demo board (no network), clock pinned to DEMO_NOW; with ``cache`` (a
    file from ``demo_cache``) the agenda and my cards have every demo board to show."""
    from trello_tui.ui.app import TrelloApp
    from trello_tui.ui.backend import Backend

    backend = None
    if cache is not None:
        from trello_tui.store.cache import Cache

        backend = Backend(None, Cache(cache), me="alex", poll=False)
    return TrelloApp(
        backend, state=BoardState(board or demo_board()), clock=lambda: DEMO_NOW, me="alex"
    )


def demo_cache(path: Path) -> Path:
    """A cache file holding every open demo board alex can see, dated around DEMO_NOW."""
    import httpx

    from trello_tui.sandbox import Sandbox
    from trello_tui.store.cache import Cache
    from trello_tui.trello.auth import Credentials
    from trello_tui.trello.client import TrelloClient

    with mock.patch("time.time", return_value=DEMO_NOW.timestamp()):
        sandbox = Sandbox.create(seed="demo")

    async def load() -> tuple[list[Board], list[Board], list[Organization]]:
        creds = sandbox.credentials
        transport = httpx.ASGITransport(app=sandbox.app)
        async with TrelloClient(
            Credentials(key=creds.key, token=creds.token), sandbox.base_url, transport=transport
        ) as client:
            mine = await client.my_boards()
            orgs = await client.my_organizations()
            return mine, [await client.load_board(b.id) for b in mine if not b.closed], orgs

    cache = Cache(path)
    try:
        mine, loaded, orgs = asyncio.run(load())
        cache.save_my_boards(mine)  # the board picker's listing
        cache.put_organizations(orgs)
        for board in loaded:
            cache.save_board(board)
    finally:
        cache.close()
    return path


Step = Callable[[object], Awaitable[None]]


async def _board(pilot: object) -> None:
    await pilot.pause()  # type: ignore[attr-defined]


async def _card(pilot: object) -> None:
    await pilot.press("j", "j", "enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]  # comments
    await pilot.pause()  # type: ignore[attr-defined]


async def _move_picker(pilot: object) -> None:
    await pilot.press("M")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]  # other boards
    await pilot.pause()  # type: ignore[attr-defined]


async def _help(pilot: object) -> None:
    await pilot.press("question_mark")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def _filtered(pilot: object) -> None:
    await pilot.press("f", *"#bug", "enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


#: name -> the keys that lead there from the freshly opened board
SCREENS: dict[str, Step] = {
    "board": _board,
    "card": _card,
    "move-picker": _move_picker,
    "help": _help,
    "filtered": _filtered,
}


async def _across(pilot: object, *keys: str) -> None:
    await pilot.press(*keys)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]  # cache read
    await pilot.pause()  # type: ignore[attr-defined]


async def _agenda(pilot: object) -> None:
    await _across(pilot, "a")


async def _agenda_month(pilot: object) -> None:
    await _across(pilot, "a")
    await _across(pilot, "C")


async def _my_cards(pilot: object) -> None:
    await _across(pilot, "Q")


async def _boards(pilot: object) -> None:
    await _across(pilot, "b")  # the listing comes from the cache in a worker


#: screens that read every demo board from the cache (``demo_app(board, demo_cache(...))``)
CACHED_SCREENS: dict[str, Step] = {
    "agenda": _agenda,
    "agenda-month": _agenda_month,
    "my-cards": _my_cards,
    "boards": _boards,
}


async def _shoot(board: Board, name: str, step: Step, out: Path, cache: Path | None = None) -> Path:
    from trello_tui.ui.app import TrelloApp

    app = demo_app(board, cache)
    assert isinstance(app, TrelloApp)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await step(pilot)
        await pilot.pause()
        path = out / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"trello-tui — {name}"), encoding="utf-8")
    return path


async def _shoot_offline(out: Path, folder: Path) -> Path:
    """A first start with nothing cached and Trello unreachable (a closed loopback port)."""
    import socket

    from trello_tui.store.cache import Cache
    from trello_tui.store.outbox import Outbox
    from trello_tui.trello.auth import Credentials
    from trello_tui.trello.client import TrelloClient
    from trello_tui.ui.app import TrelloApp
    from trello_tui.ui.backend import Backend

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/1"

    def client() -> TrelloClient:
        return TrelloClient(Credentials("0" * 32, "0" * 64), url)

    backend = Backend(
        client, Cache(folder / "cache.sqlite3"), Outbox(folder / "outbox.sqlite3"), me="alex"
    )
    app = TrelloApp(backend, board_key="Website Relaunch", me="alex", clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):  # (told within a second: a refused connection is offline at once)
            await pilot.pause(0.05)
            if "Can't reach Trello" in str(getattr(app.screen, "said", "")):
                break
        await pilot.pause()
        path = out / "offline.svg"
        path.write_text(app.export_screenshot(title="trello-tui — offline"), encoding="utf-8")
    return path


def to_png(svg: Path) -> Path | None:
    """PNG beside the SVG with rsvg-convert (librsvg2-bin) when it is installed (optional)."""
    rsvg = shutil.which("rsvg-convert")
    if rsvg is None:
        return None
    png = svg.with_suffix(".png")
    command = [rsvg, "--background-color", "#1e1e1e", "-o", str(png), str(svg)]
    result = subprocess.run(command, capture_output=True, check=False)
    return png if result.returncode == 0 and png.exists() else None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    board = demo_board()
    with tempfile.TemporaryDirectory() as tmp:
        cache = demo_cache(Path(tmp) / "cache.sqlite3")
        shots: list[tuple[str, Step, Path | None]] = [(n, s, None) for n, s in SCREENS.items()]
        shots += [(name, step, cache) for name, step in CACHED_SCREENS.items()]
        svgs = [asyncio.run(_shoot(board, name, step, out, cached)) for name, step, cached in shots]
        (Path(tmp) / "cold").mkdir()
        svgs.append(asyncio.run(_shoot_offline(out, Path(tmp) / "cold")))
        for svg in svgs:
            png = to_png(svg)
            print(f"{svg}" + (f"  {png}" if png else "  (no PNG: install librsvg2-bin)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
