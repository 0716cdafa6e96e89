"""What the sync engine tells its subscribers, besides ``BoardChange``: notices and status.

``Notice`` is a one-line message for the user (a write Trello refused for good, a teammate
changing the card being edited, a cache file set aside). ``IdsReplaced`` says that objects
shown under a temporary id now have Trello's id (the UI moves its focus along). ``Status``
is what the status line shows, with ``text()`` ready to print. ``RemoteActions`` hands on the
Trello actions just merged (for notifications and triggers, see ``automation/notify.py``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Literal

from trello_tui.trello.models import Action

NoticeLevel = Literal["info", "warning", "error", "conflict"]
SyncState = Literal["synced", "syncing", "offline", "rate_limited", "never"]


@dataclasses.dataclass(frozen=True, slots=True)
class Notice:
    board_id: str
    level: NoticeLevel
    text: str
    #: the write concerned (so the UI can offer retry/discard), if any
    op_id: str | None = None
    card_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class IdsReplaced:
    board_id: str
    mapping: Mapping[str, str]


@dataclasses.dataclass(frozen=True, slots=True)
class RemoteActions:
    """Actions new to this engine (polled or delivered), sent once the state shows them."""

    board_id: str
    actions: tuple[Action, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Status:
    """The engine's sync status for the status line."""

    board_id: str
    state: SyncState = "never"
    #: wall-clock time of the last successful exchange with Trello
    last_sync: float | None = None
    pending: int = 0
    failed: int = 0
    #: seconds until the rate limiter lets requests go again
    wait_s: float = 0.0
    #: True when the user asked for offline mode (``--offline``) rather than the network failing
    forced_offline: bool = False

    def text(self, now: float | None = None, *, slow_s: float | None = None) -> str:
        """One line; ``slow_s``: Trello has kept a request unanswered that long ("Trello is
        slow (N s)" unless offline or rate-limited, which say more)."""
        now = time.time() if now is None else now
        parts: list[str] = []
        if self.state == "offline":
            parts.append("offline (cached)" if self.forced_offline else "offline, retrying")
        elif self.state == "rate_limited":
            parts.append(f"rate-limited, waiting {max(1, round(self.wait_s))} s")
        elif slow_s is not None:
            parts.append(f"Trello is slow ({int(slow_s)} s)")
        elif self.state == "syncing":
            parts.append("syncing…")
        elif self.last_sync is not None:
            parts.append(f"synced {_ago(now - self.last_sync)}")
        else:
            parts.append("not synced yet")
        if self.pending:
            parts.append(f"{self.pending} write{'s' if self.pending != 1 else ''} pending")
        if self.failed:
            parts.append(f"{self.failed} failed")
        return " · ".join(parts)


def _ago(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"


Event = object
