"""The composer (``n``): completion, live preview, creating below the focused card through
the engine (optimistic, undoable), shift+enter opening the new card, and bad tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.harness import running, settle, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.capture import Composer


def board(app: Any) -> BoardScreen:
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    return screen


def preview_text(composer: Composer) -> str:
    from textual.widgets import Static

    return str(composer.query_one("#composer-preview", Static).render())


async def test_n_composes_below_the_focused_card_with_completion(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        state = app.state
        assert state is not None
        screen.view.focus_column(1, 2)
        await pilot.pause()
        column = screen.view.current
        assert column is not None
        focused = screen.view.focused_card_id
        await pilot.press("n")
        composer = app.screen
        assert isinstance(composer, Composer)
        # Drawn just below the focused card, in its column.
        top, height = column.card_region(2)
        box = composer.query_one("#composer").region
        assert box.y == column.region.y + top + height + 1 - round(column.scroll_offset.y)
        assert box.x == column.region.x

        await pilot.press(*"Ship the export", "space", "#", "s", "e", "c")
        options = composer.options
        assert options.has_class("-open")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0].endswith("Security (orange_light)"), labels
        await pilot.press("tab")  # takes the highlighted completion
        await pilot.press("@", "s", "a", "tab")
        await pilot.press(*"due:tomorrow")
        assert composer.input.value == "Ship the export #Security @sam due:tomorrow"
        shown = preview_text(composer)
        assert "Ship the export" in shown and "Security" in shown and "@sam" in shown
        assert "due " in shown and "→ Next up" in shown and "✗" not in shown

        await pilot.press("enter")
        assert isinstance(app.screen, BoardScreen)
        # Optimistic: on screen below the focused card before Trello answers.
        temp = column.ids[3]
        assert column.ids[2] == focused and state.cards[temp].name == "Ship the export"
        await settle(app, pilot)
        (card,) = [c for c in sb.world.cards.values() if c.name == "Ship the export"]
        assert world_order(sb, column.list_id)[3] == card.id
        security = next(lb.id for lb in state.labels.values() if lb.name == "Security")
        sam = next(m.id for m in state.members.values() if m.username == "sam")
        assert card.id_labels == [security] and card.id_members == [sam]
        assert card.due is not None and card.due.startswith("2026-11-21")  # the clock's tomorrow

        await pilot.press("z")  # undo: the new card is archived again
        await settle(app, pilot)
        assert sb.world.cards[card.id].closed
        assert card.id not in column.ids


async def test_shift_enter_creates_and_opens_the_card(tmp_path: Path) -> None:
    from trello_tui.ui.screens.card import CardScreen

    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        screen.view.focus_column(0, 3)
        await pilot.pause()
        await pilot.press("n")
        await pilot.press(*"Look at me", "space", "^", *"Revi", "tab", "^", "t", "o", "p")
        composer = app.screen
        assert isinstance(composer, Composer)
        assert composer.input.value == "Look at me ^Review ^top"
        await pilot.press("shift+enter")
        review = screen.view.columns[3]
        assert app.state is not None
        assert app.state.cards[review.ids[0]].name == "Look at me"  # on the board at once
        await settle(app, pilot)
        await pilot.pause()
        (card,) = [c for c in sb.world.cards.values() if c.name == "Look at me"]
        assert world_order(sb, review.list_id)[0] == card.id
        # Opened under the id Trello gave it.
        assert isinstance(app.screen, CardScreen)
        assert app.screen.card_id == card.id


async def test_a_bad_token_keeps_the_composer_open_and_creates_nothing(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        before = len(sb.world.cards)
        await pilot.press("n")
        await pilot.press(*"Nope", "space", "#", *"nosuch", "enter")
        composer = app.screen
        assert isinstance(composer, Composer)
        assert "#nosuch matches no label" in preview_text(composer)
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)
        await settle(app, pilot)
        assert len(sb.world.cards) == before


async def test_a_capture_queued_offline_is_created_when_the_app_starts(tmp_path: Path) -> None:
    import io

    import httpx

    from trello_tui.capture import cli as capture_cli
    from trello_tui.store.cache import Cache
    from trello_tui.store.outbox import Outbox
    from trello_tui.trello.auth import Credentials
    from trello_tui.trello.client import TrelloClient

    sb = Sandbox.create(seed="demo")
    creds = sb.credentials
    out = io.StringIO()
    async with TrelloClient(
        Credentials(key=creds.key, token=creds.token),
        sb.base_url,
        transport=httpx.ASGITransport(app=sb.app),
    ) as client:
        # The same cache and outbox files the app will use: warmed while Trello answers,
        # then one capture while every request fails (503).
        for text, error_rate in (("Warm up #bug", 0.0), ("Queued while down @sam", 1.0)):
            sb.faults.error_rate = error_rate
            code = await capture_cli.run(
                client,
                [(1, text)],
                "Product Roadmap",
                cache=Cache(tmp_path / "cache.sqlite3"),
                outbox=Outbox(tmp_path / "outbox.sqlite3"),
                out=out,
                err=io.StringIO(),
            )
            assert code == 0
    assert "queued: 'Queued while down'" in out.getvalue()
    assert not [c for c in sb.world.cards.values() if c.name == "Queued while down"]
    sb.faults.error_rate = 0.0
    async with running(sb, tmp_path) as (app, pilot):
        await settle(app, pilot)
        made = [c for c in sb.world.cards.values() if c.name == "Queued while down"]
        assert len(made) == 1
        assert app.state is not None and made[0].id in app.state.cards
    assert Outbox(tmp_path / "outbox.sqlite3").count() == 0
