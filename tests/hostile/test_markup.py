"""No text from a board or a server is ever parsed as Textual markup (issue 19, item 2).

The real app on the sandbox, with toasts shown as widgets: a teammate's move, an archive, a
search, the jump-to-card palette and a server's error body, each naming ``[/] x`` (a closing
tag with nothing open: MarkupError ended every viewer's app) and ``[@click=app.quit]x[/]``
(an action link in a toast). Each is shown literally, carries no ``@click``, and the app keeps
running and answering keys.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from textual.app import App
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets._toast import Toast

from tests.sync.harness import as_teammate
from tests.ui.harness import SIZE, demo_board_id, running
from trello_tui.live.poller import Poller
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.backend import Backend
from trello_tui.ui.screens.board import BoardScreen

CLOSE = "[/] x"
CLICK = "[@click=app.quit]x[/]"
WIP = "[WIP] Fix login"


def board_cards(sb: Sandbox, count: int) -> list[str]:
    """Ids of the first open cards of the demo board's second list."""
    board = demo_board_id(sb)
    lists = sorted(
        (lst for lst in sb.world.lists.values() if lst.id_board == board and not lst.closed),
        key=lambda lst: lst.pos,
    )
    cards = [c for c in lists[1].card_ids if not sb.world.cards[c].closed]
    return cards[:count]


def other_list(sb: Sandbox, card_id: str) -> str:
    card = sb.world.cards[card_id]
    return next(
        lst.id
        for lst in sb.world.lists.values()
        if lst.id_board == card.id_board and lst.id != card.id_list and not lst.closed
    )


def named(sb: Sandbox, *names: str) -> list[str]:
    """Give demo cards these names (before the app loads the board); their ids."""
    ids = board_cards(sb, len(names))
    for card_id, name in zip(ids, names, strict=True):
        sb.world.cards[card_id].name = name
    return ids


async def until(predicate: Callable[[], bool], what: str, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, f"not within {within} s: {what}"
        await asyncio.sleep(0.02)


def cell_metas(app: App[object], region: object) -> list[dict[str, object]]:
    """The Rich meta of every cell the screen shows in ``region`` (links live there)."""
    screen = app.screen
    metas = []
    for y in range(region.y, region.bottom):  # type: ignore[attr-defined]
        for x in range(region.x, region.right):  # type: ignore[attr-defined]
            meta = screen.get_style_at(x, y).meta
            if meta:
                metas.append(meta)
    return metas


async def shown_toasts(app: App[object], pilot: object, *needles: str) -> list[str]:
    """Wait for toasts holding every needle; their text. Each must carry no action link."""

    def texts() -> list[str]:
        return [toast.render().plain for toast in app.screen.query(Toast)]

    await until(lambda: all(any(n in t for t in texts()) for n in needles), f"toasts {needles}")
    await pilot.pause()  # type: ignore[attr-defined]
    for toast in app.screen.query(Toast):
        content = toast.render()
        assert not [s for s in content.spans if "@click" in str(s.style)], content.spans
        assert not [m for m in cell_metas(app, toast.region) if "@click" in m], toast.region
    return texts()


async def still_running(app: App[object], pilot: object) -> None:
    """The app answers a key and has not stopped (a MarkupError would have ended it)."""
    await pilot.press("down")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert app.is_running and app.return_code is None
    assert app._exception is None


def painted(widget: Widget, names: tuple[str, ...]) -> bool:
    """The widget paints a line holding each name (its own rendering: markup read as tags
    would drop ``[WIP]`` or raise on ``[/]``)."""
    from textual.geometry import Region

    width, height = widget.outer_size
    strips = widget.render_lines(Region(0, 0, width, height))
    lines = ["".join(segment.text for segment in strip) for strip in strips]
    return all(any(name in line for line in lines) for name in names)


async def test_a_teammates_move_of_a_markup_named_card_is_shown_literally(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    ids = named(sb, CLOSE, CLICK)
    async with running(sb, tmp_path, notifications=True) as (app, pilot):
        backend = app.backend
        assert backend.queue is not None and backend.engine is not None
        for card_id in ids:
            await as_teammate(sb, "PUT", f"/cards/{card_id}", idList=other_list(sb, card_id))
        await Poller(backend.queue, [backend.engine]).poll_once()
        texts = await shown_toasts(app, pilot, f"'{CLOSE}'", f"'{CLICK}'")
        assert any(t.startswith("Card moved\n") and f"moved '{CLOSE}' to" in t for t in texts)
        await still_running(app, pilot)


async def test_archiving_a_markup_named_card_says_so_literally(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    ids = named(sb, "[/] crash me", CLICK)
    async with running(sb, tmp_path, notifications=True) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        for card_id in ids:
            assert screen.view.focus_card(card_id)
            await pilot.press("c")  # type: ignore[attr-defined]
            await pilot.pause()  # type: ignore[attr-defined]
        texts = await shown_toasts(app, pilot, "'[/] crash me'", f"'{CLICK}'")
        assert "Archived '[/] crash me' — z to undo" in texts
        await still_running(app, pilot)


async def test_search_shows_bracketed_names_literally(tmp_path: Path) -> None:
    from trello_tui.ui.screens.search import SearchScreen

    sb = Sandbox.create(seed="demo")
    named(sb, WIP, f"{CLOSE} login", f"{CLICK} login")
    async with running(sb, tmp_path, notifications=True) as (app, pilot):
        await pilot.press("slash", *"login")  # type: ignore[attr-defined]
        await until(lambda: isinstance(app.screen, SearchScreen), "the search screen")
        results = app.screen.query_one(OptionList)
        names = (WIP, f"{CLOSE} login", f"{CLICK} login")
        await until(lambda: painted(results, names), f"{names} painted")
        assert not [m for m in cell_metas(app, results.region) if "@click" in m]
        await pilot.press("escape")  # type: ignore[attr-defined]
        await still_running(app, pilot)


async def test_jump_to_card_shows_markup_names_literally(tmp_path: Path) -> None:
    from textual.command import CommandPalette

    sb = Sandbox.create(seed="demo")
    named(sb, f"{CLOSE} jump", f"{CLICK} jump")
    async with running(sb, tmp_path, notifications=True) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        screen.action_jump_to_card()
        await until(lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"jump")  # type: ignore[attr-defined]
        palette = app.screen
        options = palette.query_one(OptionList)
        names = (f"{CLOSE} jump", f"{CLICK} jump")
        await until(lambda: painted(options, names), f"{names} painted")
        assert not [m for m in cell_metas(app, options.region) if "@click" in m]
        await pilot.press("escape")  # type: ignore[attr-defined]
        await still_running(app, pilot)


async def test_every_name_on_the_board_and_its_pickers_is_shown_literally(
    tmp_path: Path,
) -> None:
    """List header, the card's back (checklist, description), the label, member and
    move-to pickers and the composer's title, on names that are all markup."""
    from textual.widgets import Markdown, Static

    from trello_tui.ui.screens.card import CardScreen
    from trello_tui.ui.screens.pickers import Picker
    from trello_tui.ui.widgets.board_view import ListHeader

    sb = Sandbox.create(seed="demo")
    board = sb.world.boards[demo_board_id(sb)]
    other = next(b for b in sb.world.boards.values() if b.name == "Website Relaunch")
    other.name = f"{CLOSE} board"  # a heading in the move-to picker
    card_id = next(
        c for c in sb.world.cards.values() if c.id_board == board.id and c.checklist_ids
    ).id
    card = sb.world.cards[card_id]
    sb.world.lists[card.id_list].name = f"{CLOSE} list"
    checklist = sb.world.checklists[card.checklist_ids[0]]
    checklist.name, checklist.items[0].name = f"{CLICK} checklist", f"{CLOSE} item"
    card.desc = f"{CLOSE} desc {CLICK}"
    for label in sb.world.labels.values():
        if label.id_board == board.id:
            label.name = f"{CLOSE} {label.color}"
    sam = next(m for m in sb.world.members.values() if m.username == "sam")
    sam.full_name = f"{CLICK} sam"
    async with running(sb, tmp_path, notifications=True) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        headers = list(screen.query(ListHeader))
        assert any(painted(h, (f"{CLOSE} list",)) for h in headers)
        assert screen.view.focus_card(card_id)
        await pilot.press("enter")  # type: ignore[attr-defined]
        await until(lambda: isinstance(app.screen, CardScreen), "the card's back")
        back = app.screen
        items = back.query_one(OptionList)
        await until(lambda: painted(items, (f"{CLICK} checklist", f"{CLOSE} item")), "items")
        await until(lambda: f"{CLOSE} desc {CLICK}" in back.query_one(Markdown).source, "desc")
        desc = (f"{CLOSE} desc {CLICK}",)  # Markdown, which reads no Textual markup
        await until(lambda: any(painted(p, desc) for p in back.query("MarkdownParagraph")), "desc")
        assert not [m for m in cell_metas(app, items.region) if "@click" in m]
        await pilot.press("escape")  # type: ignore[attr-defined]
        for key, shown in (
            ("number_sign", f"{CLOSE} "),
            ("m", f"{CLICK} sam"),
            ("M", f"{CLOSE} board"),
        ):
            await until(lambda: isinstance(app.screen, BoardScreen), "the board again")
            await pilot.press(key)  # type: ignore[attr-defined]
            await until(lambda: isinstance(app.screen, Picker), f"the picker of {key}")
            options = app.screen.query_one(OptionList)
            await until(lambda: painted(options, (shown,)), f"{shown!r} in the picker")  # noqa: B023
            assert not [m for m in cell_metas(app, options.region) if "@click" in m]
            await pilot.press("escape")  # type: ignore[attr-defined]
        await until(lambda: isinstance(app.screen, BoardScreen), "the board again")
        await pilot.press("n")  # type: ignore[attr-defined]
        await until(lambda: app.screen.query("#composer-title"), "the composer")
        title = app.screen.query_one("#composer-title", Static)
        await until(lambda: painted(title, (f"New card in {CLOSE} list",)), "its title")
        await pilot.press("escape")  # type: ignore[attr-defined]
        await still_running(app, pilot)


class RefusingBoards(httpx.AsyncBaseTransport):
    """The sandbox, except that the board listing is refused with a hostile body."""

    def __init__(self, inner: httpx.AsyncBaseTransport, body: str) -> None:
        self.inner = inner
        self.body = body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/members/me/boards"):
            return httpx.Response(400, text=self.body, headers={"content-type": "text/plain"})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_server_error_body_reaches_the_board_picker_literally(tmp_path: Path) -> None:
    """Started without a board, the app opens the picker; Trello refuses the listing."""
    from trello_tui.ui.screens.boards import BoardPicker

    sb = Sandbox.create(seed="demo")
    creds = sb.credentials
    body = f"{CLOSE} {CLICK}"

    def client() -> TrelloClient:
        transport = RefusingBoards(httpx.ASGITransport(app=sb.app), body)
        return TrelloClient(Credentials(creds.key, creds.token), sb.base_url, transport=transport)

    cache, outbox = Cache(tmp_path / "cache.sqlite3"), Outbox(tmp_path / "outbox.sqlite3")
    app = TrelloApp(Backend(client, cache, outbox, me=creds.me, poll=False), me=creds.me)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, BoardPicker), "the board picker")
        texts = await shown_toasts(app, pilot, body)
        assert any(t.startswith("Couldn't list boards: ") for t in texts), texts
        await still_running(app, pilot)
