"""WelcomeScreen: the first launch without credentials — sign in, or try the demo.

``trello-tui`` with no key and token lands here instead of failing: the screen says what is
missing (and what was wrong with what was found), and offers ``a`` to sign in (the app exits
and ``trello-tui auth`` runs in the terminal, where the token can be read without echo),
``d`` for the demo on the built-in sandbox, and ``q`` to quit. ``WelcomeApp`` runs the screen
on its own and returns the choice to the launcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from trello_tui.ui.safe import plain

Choice = Literal["auth", "demo", "quit"]

INTRO = (
    "[b]Welcome to trello-tui[/b]\n\n"
    "Your Trello boards in the terminal. To reach your boards, trello-tui needs an API key "
    "and a token from Trello; [b]trello-tui auth[/b] walks you through getting both "
    "(about a minute) and stores them readable only by you.\n\n"
    "Or look around first: the demo runs on a built-in Trello-compatible sandbox, "
    "no account needed."
)


class WelcomeScreen(Screen[str]):
    """What to do when there are no credentials."""

    DEFAULT_CSS = """
    WelcomeScreen { align: center middle; }
    WelcomeScreen > Vertical {
        width: 76; height: auto; padding: 1 2; border: round $primary; background: $surface;
    }
    WelcomeScreen #missing { color: $warning; margin-top: 1; }
    WelcomeScreen Horizontal { height: auto; margin-top: 1; }
    WelcomeScreen Button { margin-right: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('auth')", "sign in (trello-tui auth)", id="welcome.auth"),
        Binding("d", "choose('demo')", "try the demo", id="welcome.demo"),
        Binding("q,escape", "choose('quit')", "quit", id="welcome.quit"),
    ]

    def __init__(self, missing: Sequence[str] = ()) -> None:
        super().__init__()
        self.missing = list(missing)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(INTRO, id="intro")
            if self.missing:
                missing = "\n".join(f"• {line}" for line in self.missing)
                yield Static(plain(missing), id="missing")
            with Horizontal():
                yield Button("Sign in  (a)", id="auth", variant="primary")
                yield Button("Try the demo  (d)", id="demo")
                yield Button("Quit  (q)", id="quit")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#auth", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id or "quit")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


def missing_lines(
    has_key: bool, has_token: bool, problems: Sequence[str], credentials_path: str
) -> list[str]:
    """What the welcome screen says is missing or wrong (never a secret's value)."""
    lines = [f"{p}" for p in problems]
    if not has_key and not has_token:
        lines.append(f"No credentials yet (looked in {credentials_path} and TRELLO_API_KEY).")
    elif not has_key:
        lines.append("A token was found but no API key.")
    elif not has_token:
        lines.append("An API key was found but no token.")
    return lines


class WelcomeApp(App[str]):
    """Just the welcome screen; ``run()`` returns ``"auth"``, ``"demo"`` or ``"quit"``."""

    TITLE = "trello-tui"

    def __init__(self, missing: Sequence[str] = ()) -> None:
        super().__init__()
        self.missing = list(missing)

    def on_mount(self) -> None:
        self.push_screen(WelcomeScreen(self.missing), self._chosen)

    def _chosen(self, choice: str | None) -> None:
        self.exit(choice or "quit")
