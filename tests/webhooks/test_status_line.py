"""The status line says whether changes arrive live (webhooks) or by polling."""

from __future__ import annotations

from datetime import UTC, datetime

from trello_tui.ui.widgets.status import SyncStatus, describe_status

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def test_live_and_polling_are_shown_next_to_the_sync_state() -> None:
    synced = SyncStatus(last_synced=NOW)
    assert describe_status(SyncStatus(last_synced=NOW, live="live"), NOW)[0] == (
        "synced 0 s ago · live"
    )
    assert describe_status(SyncStatus(last_synced=NOW, live="polling"), NOW)[0] == (
        "synced 0 s ago · polling"
    )
    assert "live" not in describe_status(synced, NOW)[0]  # webhooks not configured
