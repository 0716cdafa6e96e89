"""The keys the other binding tests leave out, each checked in the sandbox and on screen.

Board: the number keys for every label colour, `#` and `m` on one card, `t` `d` `space` as
the card face shows them, `-`, `e`, `o`, `y`, `r`, page keys, a new card's pos. Card detail:
every key. Pickers, prompts, search and help: their cursor and cancel keys.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import httpx
import pytest

from tests.ui.harness import assert_placed, running, settle, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.card import CardScreen
from trello_tui.ui.screens.pickers import Picker, TextPrompt
from trello_tui.ui.widgets.palette import color_family

#: the number keys and the label colour each toggles (Trello's order)
NUMBER_COLOURS = dict(
    zip(
        "1234567890",
        ["green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black"],
        strict=True,
    )
)


def board(app: TrelloApp) -> BoardScreen:
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    return screen


def face(app: TrelloApp, card_id: str) -> str:
    """The card's face as its column paints it (every line, top to bottom)."""
    for column in board(app).view.columns:
        if card_id in column.ids:
            return "\n".join(strip.text for strip in column._strips(column.ids.index(card_id)))
    raise AssertionError(f"{card_id} is not on screen")


def card_screen_text(app: TrelloApp, widget: str) -> str:
    from textual.widgets import Static

    return str(app.screen.query_one(f"#{widget}", Static).render())


def writes(sb: Sandbox) -> int:
    """Write requests the sandbox has answered (every route but GETs)."""
    routes = sb.stats["routes"]
    return sum(v["requests"] for k, v in routes.items() if not k.startswith(("GET", "HEAD")))


def editor_writing(tmp_path: Path, text: str) -> str:
    """An $EDITOR that replaces the file it is given with ``text``."""
    script = tmp_path / "editor.py"
    script.write_text(
        f"import sys\nopen(sys.argv[1], 'w', encoding='utf-8').write({text!r})\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


@pytest.fixture
def no_suspend(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The headless driver cannot hand the terminal over, so suspending does nothing here
    (the editor still runs as a real process); links opened are recorded instead of shown."""
    opened: list[str] = []
    monkeypatch.setattr(TrelloApp, "suspend", lambda self: contextlib.nullcontext())
    monkeypatch.setattr(TrelloApp, "open_url", lambda self, url, **kw: opened.append(url))
    return opened


async def test_number_keys_toggle_each_label_colour(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        state = app.state
        assert state is not None
        screen = board(app)
        screen.view.focus_column(2, 1)
        await pilot.pause()
        card_id = screen.view.focused_card_id
        assert card_id is not None
        for key, colour in NUMBER_COLOURS.items():
            label = app.label_for_color(colour)
            assert label is not None, colour
            had = label.id in sb.world.cards[card_id].id_labels
            shown = face(app, card_id).count(label.name) if label.name else None
            for _ in range(2):  # on, then off again (or the other way round)
                await pilot.press(key)
                await settle(app, pilot)
                had = not had
                assert (label.id in sb.world.cards[card_id].id_labels) is had, key
                assert (label.id in state.cards[card_id].id_labels) is had, key
                if shown is not None:
                    now = face(app, card_id).count(label.name)
                    assert now == shown + (1 if had else -1), key
                    shown = now
            assert color_family(label.color) == colour


async def test_board_pickers_prompts_and_face(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        state = app.state
        assert state is not None
        screen = board(app)
        screen.view.focus_column(0, 2)
        await pilot.pause()
        card_id = screen.view.focused_card_id
        assert card_id is not None
        research = next(lb for lb in state.labels.values() if lb.name == "Research")
        assert research.id not in sb.world.cards[card_id].id_labels

        # `#`: the picker's cursor keys, then a label by typing its name
        await pilot.press("number_sign")
        picker = app.screen
        assert isinstance(picker, Picker)
        options = picker.query_one("#picker-options")
        first = options.highlighted  # type: ignore[attr-defined]
        await pilot.press("down")
        assert options.highlighted == first + 1  # type: ignore[attr-defined]
        await pilot.press("up")
        assert options.highlighted == first  # type: ignore[attr-defined]
        await pilot.press(*"research", "enter")
        await settle(app, pilot)
        assert research.id in sb.world.cards[card_id].id_labels
        assert "Research" in face(app, card_id)

        # escape cancels a picker and a prompt: nothing is sent
        sent = writes(sb)
        await pilot.press("number_sign")
        assert isinstance(app.screen, Picker)
        await pilot.press("escape")
        await pilot.press("t")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("ctrl+u", *"Not this", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        assert writes(sb) == sent
        assert "Not this" not in face(app, card_id)

        # `m`: a member by name; their initials join the face
        other = next(
            m
            for m in sorted(state.members.values(), key=lambda m: m.username)
            if m.id not in sb.world.cards[card_id].id_members and m.username != sb.credentials.me
        )
        assert other.initials not in face(app, card_id)
        await pilot.press("m", *other.username, "enter")
        await settle(app, pilot)
        assert other.id in sb.world.cards[card_id].id_members
        assert other.initials in face(app, card_id)

        # `t`, `d`, `space`: in Trello and on the card's face
        await pilot.press("t", "ctrl+u", *"Renamed on the board", "enter")
        await pilot.press("d", *"2026-12-24", "enter")
        me = state.member_by_username(sb.credentials.me)
        assert me is not None
        had_me = me.id in sb.world.cards[card_id].id_members
        await pilot.press("space")
        await settle(app, pilot)
        server = sb.world.cards[card_id]
        assert server.name == "Renamed on the board"
        assert (server.due or "").startswith("2026-12-24")
        assert (me.id in server.id_members) is not had_me
        shown = face(app, card_id)
        assert "Renamed on the board" in shown and "Dec 24" in shown
        assert ("AR" in shown) is not had_me

        # `-`: a checklist, shown on the card's detail
        await pilot.press("minus", "ctrl+u", *"Launch steps", "enter")
        await settle(app, pilot)
        made = [c for c in sb.world.checklists.values() if c.id_card == card_id]
        assert any(c.name == "Launch steps" for c in made)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CardScreen)
        items = app.screen.query_one("#check-items")
        prompts = [
            str(items.get_option_at_index(i).prompt)  # type: ignore[attr-defined]
            for i in range(items.option_count)  # type: ignore[attr-defined]
        ]
        assert any("Launch steps" in p for p in prompts)


async def test_new_card_lands_between_its_neighbours(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        screen.view.focus_column(1, 3)
        await pilot.pause()
        column = screen.view.current
        assert column is not None
        await pilot.press("n", *"Between three and four", "enter")
        await settle(app, pilot)
        (card,) = [c for c in sb.world.cards.values() if c.name == "Between three and four"]
        assert_placed(sb, card.id, column.list_id, 4)
        assert column.ids[4] == card.id
        # alt+enter creates and opens, like shift+enter
        column_index = screen.view.columns.index(column)
        screen.view.focus_column(column_index, 0)
        await pilot.pause()
        await pilot.press("n", *"Opened at once", "alt+enter")
        await settle(app, pilot)
        (opened,) = [c for c in sb.world.cards.values() if c.name == "Opened at once"]
        assert_placed(sb, opened.id, column.list_id, 1)
        assert isinstance(app.screen, CardScreen)
        assert app.screen.card_id == opened.id


async def test_editor_browser_copy_refresh_and_page_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_suspend: list[str]
) -> None:
    monkeypatch.setenv("EDITOR", editor_writing(tmp_path, "Written in the editor"))
    monkeypatch.delenv("VISUAL", raising=False)
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        state = app.state
        assert state is not None
        screen = board(app)
        screen.view.focus_column(0, 0)
        await pilot.pause()
        card_id = screen.view.focused_card_id
        assert card_id is not None
        url = state.cards[card_id].url

        await pilot.press("e")
        await settle(app, pilot)
        assert sb.world.cards[card_id].desc == "Written in the editor"
        assert state.cards[card_id].desc == "Written in the editor"
        await pilot.press("o")
        assert no_suspend == [url]
        await pilot.press("y")
        assert app.clipboard == url

        # r: a teammate's rename shows after a reload (this app does not poll)
        sam = sb.credentials.tokens["sam"]
        async with TrelloClient(
            Credentials(key=sb.credentials.key, token=sam),
            base_url=sb.base_url,
            transport=httpx.ASGITransport(app=sb.app),
        ) as client:
            await client.update_card(card_id, name="Sam renamed it")
        assert "Sam renamed it" not in face(app, card_id)
        await pilot.press("r")
        for _ in range(100):
            await pilot.pause(0.05)
            if "Sam renamed it" in face(app, card_id):
                break
        assert "Sam renamed it" in face(app, card_id)

        # page keys: a page of cards at a time in a long column, and back
        screen.view.focus_column(0, 0)
        await pilot.pause()
        column = screen.view.current
        assert column is not None and len(column.ids) > 20
        await pilot.press("pagedown")
        down = column.cursor
        assert down > 1
        await pilot.press("pagedown")
        assert column.cursor > down
        await pilot.press("pageup", "pageup")
        assert column.cursor == 0
        assert screen.view.focused_card_id == column.ids[0]


async def test_card_detail_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_suspend: list[str]
) -> None:
    monkeypatch.setenv("EDITOR", editor_writing(tmp_path, "A description from $EDITOR"))
    monkeypatch.delenv("VISUAL", raising=False)
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        from textual.widgets import Markdown

        state = app.state
        assert state is not None
        card_id = next(
            c.id
            for c in sorted(state.cards.values(), key=lambda c: c.id)
            if not c.closed and any(len(cl.check_items) >= 2 for cl in state.checklists_of(c.id))
        )
        list_id = state.cards[card_id].id_list
        assert board(app).view.focus_card(card_id)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, CardScreen)
        w = sb.world

        await pilot.press("t", "ctrl+u", *"Detail title", "enter")
        await pilot.press("d", *"2026-12-31", "enter")
        await settle(app, pilot)
        assert w.cards[card_id].name == "Detail title"
        assert (w.cards[card_id].due or "").startswith("2026-12-31")
        assert "Detail title" in card_screen_text(app, "card-title")
        assert "due 2026-12-31" in card_screen_text(app, "card-meta")

        ops = next(lb for lb in state.labels.values() if lb.name == "Ops")
        other = next(
            m
            for m in sorted(state.members.values(), key=lambda m: m.username)
            if m.id not in w.cards[card_id].id_members
        )
        had_ops = ops.id in w.cards[card_id].id_labels
        await pilot.press("number_sign", *"ops", "enter")
        await pilot.press("m", *other.username, "enter")
        await settle(app, pilot)
        assert (ops.id in w.cards[card_id].id_labels) is not had_ops
        assert other.id in w.cards[card_id].id_members
        meta = card_screen_text(app, "card-meta")
        assert (" Ops " in meta) is not had_ops
        assert other.full_name in meta

        await pilot.press("e")
        await settle(app, pilot)
        assert w.cards[card_id].desc == "A description from $EDITOR"
        assert detail.query_one("#card-desc", Markdown).source == "A description from $EDITOR"

        # checklist items: a (add), r (rename), x (delete an item), delete (a checklist)
        items = detail.query_one("#check-items")
        checklist = next(cl for cl in state.checklists_of(card_id) if len(cl.check_items) >= 2)

        def row_of(option_id: str) -> int:
            return next(
                i
                for i in range(items.option_count)  # type: ignore[attr-defined]
                if items.get_option_at_index(i).id == option_id  # type: ignore[attr-defined]
            )

        def item_names() -> list[str]:
            return [i.name for i in sorted(w.checklists[checklist.id].items, key=lambda i: i.pos)]

        items.highlighted = row_of(checklist.id)  # type: ignore[attr-defined]
        await pilot.press("a", *"Added with a", "enter")
        await settle(app, pilot)
        assert item_names()[-1] == "Added with a"
        first = sorted(w.checklists[checklist.id].items, key=lambda i: i.pos)[0]
        items.highlighted = row_of(f"{checklist.id}:{first.id}")  # type: ignore[attr-defined]
        await pilot.press("r", "ctrl+u", *"Renamed item", "enter")
        await settle(app, pilot)
        assert item_names()[0] == "Renamed item"
        prompt = str(items.get_option_at_index(row_of(f"{checklist.id}:{first.id}")).prompt)  # type: ignore[attr-defined]
        assert "Renamed item" in prompt
        count = len(item_names())
        items.highlighted = row_of(f"{checklist.id}:{first.id}")  # type: ignore[attr-defined]
        await pilot.press("x")
        await settle(app, pilot)
        assert len(item_names()) == count - 1 and "Renamed item" not in item_names()
        assert all(
            items.get_option_at_index(i).id != f"{checklist.id}:{first.id}"  # type: ignore[attr-defined]
            for i in range(items.option_count)  # type: ignore[attr-defined]
        )
        items.highlighted = row_of(checklist.id)  # type: ignore[attr-defined]
        await pilot.press("delete")
        await settle(app, pilot)
        assert checklist.id not in w.checklists
        assert all(
            items.get_option_at_index(i).id != checklist.id  # type: ignore[attr-defined]
            for i in range(items.option_count)  # type: ignore[attr-defined]
        )

        url = state.cards[card_id].url
        await pilot.press("o")
        assert no_suspend == [url]
        await pilot.press("y")
        assert app.clipboard == url

        await pilot.press("c")  # archive: back on the board, the card gone from its list
        await settle(app, pilot)
        assert w.cards[card_id].closed
        assert isinstance(app.screen, BoardScreen)
        assert card_id not in world_order(sb, list_id)
        assert all(card_id not in c.ids for c in board(app).view.columns)


async def test_search_and_help_keys(tmp_path: Path) -> None:
    from trello_tui.ui.screens.help import HelpScreen
    from trello_tui.ui.screens.search import SearchScreen

    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        await pilot.press("slash", *"a")
        await pilot.pause()
        search = app.screen
        assert isinstance(search, SearchScreen)
        results = search.query_one("#search-results")
        assert results.option_count > 2  # type: ignore[attr-defined]
        start = results.highlighted  # type: ignore[attr-defined]
        await pilot.press("down")
        assert results.highlighted == (start or 0) + 1  # type: ignore[attr-defined]
        await pilot.press("up")
        assert results.highlighted == (start or 0)  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)
        for close in ("q", "question_mark", "escape"):
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen), close
            await pilot.press(close)
            assert isinstance(app.screen, BoardScreen), close


async def test_welcome_escape_quits() -> None:
    from trello_tui.ui.screens.welcome import WelcomeApp, WelcomeScreen

    app = WelcomeApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_value == "quit"
