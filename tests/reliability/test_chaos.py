"""Nothing lost, nothing twice: the real app by key presses against a faulty Trello.

One fixed seed, a short walk (the machine is in machine.py; ``benchmarks/chaos.py`` runs it
for thousands of operations with any seed): every kind of fault fires, the app is restarted
from its cache and outbox, ``trello-tui add`` captures in between, a teammate changes the
board meanwhile. At the end the sandbox's board equals the model of what was meant.
"""

from __future__ import annotations

import pytest

from tests.reliability.machine import Chaos

SEED = 20261128


@pytest.mark.timeout(240)
async def test_nothing_lost_or_duplicated_under_faults() -> None:
    report = await Chaos(SEED, 64, ops_per_session=22).run()
    summary = report.summary()
    print(summary)
    assert report.problems == [], "\n".join(report.problems)
    assert report.lost == 0 and report.duplicated == 0
    # The walk did what it claims: every fault fired, restarts, captures, the teammate.
    assert {"latency", "error", "drop", "drop_after", "burst_429"} <= set(report.fired), summary
    assert report.restarts >= 3 and report.captures >= 1, summary
    assert report.teammate_changes > 0, summary
    assert report.ops >= 55, summary
    kinds = {"move", "create", "rename", "label", "member", "due", "check", "archive", "undo"}
    assert kinds <= set(report.by_kind), summary
