"""StatusLine: the board's name, the active filter, and the truth about syncing.

The sync text is the engine's own ``Status.text()``: "synced 12 s ago", "syncing…",
"offline, retrying", "rate-limited, waiting 4 s", "3 writes pending" — combined. While cards
are marked, "N marked" says how many cards the next key changes.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


def status_level(state: str, failed: int) -> str:
    """ok | warning | error for the engine's sync state (picks the status line's style)."""
    if failed:
        return "error"
    return "warning" if state in ("offline", "rate_limited") else "ok"


class StatusLine(Widget):
    """One line at the bottom of the board."""

    board_name: reactive[str] = reactive("")
    """The board shown."""
    filter_text: reactive[str] = reactive("")
    """The active filter, described; empty when none."""
    sync_text: reactive[str] = reactive("")
    """The sync status, described."""
    sync_level: reactive[str] = reactive("ok")
    """ok | warning | error: picks the style of the sync text."""
    marked: reactive[int] = reactive(0)
    """How many cards are marked for a bulk action."""

    def watch_sync_level(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")

    def render(self) -> Text:
        left = Text(f" {self.board_name}", style="bold")
        if self.filter_text:
            left.append(f"  filter: {self.filter_text} (x clears)", style="italic")
        if self.marked:
            left.append(f"  {self.marked} marked (esc clears)", style="bold reverse")
        right = Text(f"{self.sync_text} ")
        gap = max(1, self.size.width - left.cell_len - right.cell_len)
        return left + Text(" " * gap) + right
