"""The poll interval adapts to activity, the rate budget, failures and live webhooks."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from trello_tui.live.poller import Poller
from trello_tui.sync.events import Status
from trello_tui.trello.limiter import TOKEN, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _poller(clock: Clock, limiter: RateLimiter) -> Poller:
    queue = SimpleNamespace(limiter=limiter)
    return Poller(
        queue,  # type: ignore[arg-type]
        active_s=5,
        idle_s=30,
        max_s=120,
        idle_after_s=60,
        clock=clock,
    )


def test_interval_grows_when_idle_and_shrinks_on_activity() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    poller = _poller(clock, limiter)
    assert poller.interval() == 5
    clock.now += 90  # half-way from active to idle
    assert poller.interval() == pytest.approx(17.5)
    clock.now += 200
    assert poller.interval() == 30
    clock.now += 600
    assert poller.interval() == 120
    poller.touch()
    assert poller.interval() == 5


def test_low_budget_failures_and_live_mode() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    poller = _poller(clock, limiter)
    window = limiter.windows[TOKEN]
    for _ in range(int(window.capacity * 0.8)):
        limiter.record("/boards/x/actions")
    assert poller.interval() == 15  # three times slower while the budget is low
    clock.now += 20  # the window has emptied
    poller._failures = 2
    assert poller.interval() == 20
    poller._failures = 0
    poller.set_mode("live")
    assert poller.interval() == poller.probe_s
    poller.set_mode("polling")
    assert poller.interval() == 5


def test_status_text() -> None:
    now = 10_000.0
    assert Status("b", "synced", last_sync=now - 12).text(now) == "synced 12 s ago"
    assert Status("b", "synced", now - 125, pending=2).text(now) == (
        "synced 2 min ago · 2 writes pending"
    )
    assert Status("b", "syncing", pending=1).text(now) == "syncing… · 1 write pending"
    assert Status("b", "offline", forced_offline=True).text(now) == "offline (cached)"
    assert Status("b", "offline", failed=1).text(now) == "offline, retrying · 1 failed"
    assert Status("b", "rate_limited", wait_s=3.4).text(now) == "rate-limited, waiting 3 s"


def test_board_changes_count_as_activity() -> None:
    from trello_tui.sync.state import BoardChange

    clock = Clock()
    poller = _poller(clock, RateLimiter(clock=clock))
    listeners: list[object] = []
    engine = SimpleNamespace(
        board_id="b1",
        subscribe=lambda callback: listeners.append(callback) or (lambda: listeners.clear()),
    )
    poller.add(engine)  # type: ignore[arg-type]
    clock.now += 1000
    assert poller.interval() == 120
    listeners[0](BoardChange("b1", cards=frozenset({"c"})))  # type: ignore[operator]
    assert poller.interval() == 5
    poller.remove("b1")
    assert listeners == []
