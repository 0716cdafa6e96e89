"""StatusLine: the board's name, the active filter, and the truth about syncing.

The sync text comes from ``describe_status`` (pure): "synced 12 s ago", "syncing…",
"offline", "rate-limited (waiting 4 s)", "3 writes pending" — combined when several hold.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


@dataclasses.dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status line shows; the app fills it from the engine's status."""

    last_synced: datetime | None = None
    syncing: bool = False
    offline: bool = False
    rate_limited_for: float = 0.0
    pending: int = 0
    failed: int = 0
    #: "live" (webhooks deliver) or "polling"; None when live updates are not configured
    live: str | None = None


def describe_status(status: SyncStatus, now: datetime) -> tuple[str, str]:
    """(text, style key) for a status; the style key picks a CSS class."""
    parts: list[str] = []
    level = "ok"
    if status.offline:
        parts.append("offline")
        level = "warning"
    elif status.rate_limited_for > 0:
        parts.append(f"rate-limited (waiting {status.rate_limited_for:.0f} s)")
        level = "warning"
    elif status.syncing:
        parts.append("syncing…")
    elif status.last_synced is not None:
        seconds = max(0, int((now - status.last_synced).total_seconds()))
        parts.append(f"synced {seconds} s ago")
    else:
        parts.append("not synced yet")
    if status.live is not None:
        parts.append(status.live)
    if status.pending:
        parts.append(f"{status.pending} write{'s' if status.pending != 1 else ''} pending")
    if status.failed:
        parts.append(f"{status.failed} failed")
        level = "error"
    return " · ".join(parts), level


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

    def watch_sync_level(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")

    def render(self) -> Text:
        left = Text(f" {self.board_name}", style="bold")
        if self.filter_text:
            left.append(f"  filter: {self.filter_text} (x clears)", style="italic")
        right = Text(f"{self.sync_text} ")
        gap = max(1, self.size.width - left.cell_len - right.cell_len)
        return left + Text(" " * gap) + right
