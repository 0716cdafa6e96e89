"""OpeningScreen: a board with nothing cached, while Trello is asked for it — never a blank.

A warm start paints the cached board at once. A cold one (``--board`` on a first run, a board
picked that was never opened) has nothing to paint until Trello answers; this screen says
so, and says it again in plain words when Trello can't be reached ("Can't reach Trello
(connection refused)"), is slow ("Trello is slow (7 s)") or refuses, with what the user can
do: ``r`` tries again, ``b`` lists the boards (the cached ones when offline), ``q`` quits,
and ``trello-tui doctor`` checks the network, the proxy and the credentials. The board
replaces it the moment it arrives.

The app writes the texts (``tell``); every one goes through ``plain``, so a board's name or a
server's message is shown as it is, never read as markup.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from trello_tui.ui.first_load import ASKING, WHAT_TO_DO
from trello_tui.ui.safe import plain


class OpeningScreen(Screen[None]):
    """What is happening while a board with nothing cached opens, and what to do."""

    DEFAULT_CSS = """
    OpeningScreen { align: center middle; }
    OpeningScreen > Vertical {
        width: 80; height: auto; padding: 1 2; border: round $primary; background: $surface;
    }
    OpeningScreen #opening-title { text-style: bold; }
    OpeningScreen #opening-detail { margin-top: 1; }
    OpeningScreen #opening-help { margin-top: 1; color: $text-muted; }
    OpeningScreen.-problem #opening-title { color: $warning; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "retry", id="opening.retry"),
        Binding("b", "boards", "boards", id="opening.boards"),
        Binding("q", "quit", "quit", id="opening.quit"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        #: the board being opened (an id, a short link or a name, as the user gave it)
        self.key = key
        self.title_text = f"Opening {key}…"
        self.detail_text = ASKING
        self.help_text = WHAT_TO_DO
        #: True while the texts tell a problem (offline, slow, refused)
        self.problem = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text), id="opening-title")
            yield Static(plain(self.detail_text), id="opening-detail")
            yield Static(plain(self.help_text), id="opening-help")
        yield Footer()

    def tell(self, title: str, detail: str, problem: bool = True) -> None:
        """Say ``title`` and ``detail`` (plain text) in place of what was said."""
        if (title, detail, problem) == (self.title_text, self.detail_text, self.problem):
            return
        self.title_text, self.detail_text, self.problem = title, detail, problem
        if self.is_mounted:
            self.query_one("#opening-title", Static).update(plain(title))
            self.query_one("#opening-detail", Static).update(plain(detail))
            self.set_class(problem, "-problem")

    def on_mount(self) -> None:
        self.set_class(self.problem, "-problem")

    def on_screen_resume(self) -> None:
        # The board may have arrived while the board picker was open over this screen.
        resumed = getattr(self.app, "board_resumed", None)
        if callable(resumed):
            resumed()

    @property
    def said(self) -> str:
        """Everything the screen says, as plain text (for tests and the driver)."""
        return f"{self.title_text}\n{self.detail_text}\n{self.help_text}"

    def action_retry(self) -> None:
        self.tell(f"Opening {self.key}…", "Trying Trello again…", problem=self.problem)
        retry = getattr(self.app, "open_board", None)
        if callable(retry):
            retry(self.key)

    def action_boards(self) -> None:
        picker = getattr(self.app, "show_board_picker", None)
        if callable(picker):
            picker()

    def action_quit(self) -> None:
        self.app.exit()
