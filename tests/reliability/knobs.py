"""The chaos machine's knobs: the board, the fault phases, how often each key is pressed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SIZE = (160, 45)
BOARD = "Website Relaunch"
NUMBER_KEYS = {"green": "1", "yellow": "2", "orange": "3", "red": "4", "purple": "5", "blue": "6"}
CALM: dict[str, Any] = {
    "latency_s": 0.0,
    "latency_jitter_s": 0.0,
    "error_rate": 0.0,
    "drop_rate": 0.0,
    "drop_after_rate": 0.0,
    "burst_429": 0,
}
PHASES: dict[str, dict[str, Any]] = {
    "calm": {},
    "slow": {"latency_jitter_s": 2.0},
    "errors": {"error_rate": 0.2},
    "drops": {"drop_rate": 0.08, "drop_after_rate": 0.08},
    "storm": {
        "latency_jitter_s": 2.0,
        "error_rate": 0.2,
        "drop_rate": 0.05,
        "drop_after_rate": 0.05,
    },
}
#: key press kinds and how often the walk picks each
WEIGHTS: dict[str, int] = {
    "move": 30,
    "create": 8,
    "rename": 9,
    "label": 10,
    "member": 6,
    "due": 7,
    "check": 6,
    "archive": 4,
    "undo": 10,
}
