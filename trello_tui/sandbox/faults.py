"""Faults on demand for reliability tests: latency, 5xx answers, dropped connections, 429s.

Two kinds of dropped connection: ``drop_rate`` drops before the request is handled (nothing
happened), ``drop_after_rate`` handles it first and then drops the answer — the change is made
but the client never hears so, the case that turns a careless retry into a duplicate.
``latency_jitter_s`` adds a uniformly random extra delay (0 .. jitter) on top of ``latency_s``.

Set at start-up (``--faults latency_s=0.2,error_rate=0.1``) or live through
``POST /_sandbox/faults`` when the admin API is on. A dropped connection is simulated by
starting the response and then failing: over uvicorn the client sees the connection close
mid-answer; in-process (httpx.ASGITransport) it sees ``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Faults:
    latency_s: float = 0.0  # added to every /1 request
    latency_jitter_s: float = 0.0  # plus a random 0 .. jitter on each request
    error_rate: float = 0.0  # fraction answered with ``error_status``
    error_status: int = 503
    drop_rate: float = 0.0  # fraction whose connection is dropped mid-answer
    drop_after_rate: float = 0.0  # fraction handled (the change made), then dropped
    burst_429: int = 0  # the next N requests get Trello's token-limit 429
    rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)
    #: how many of each fault fired ("latency", "drop", "drop_after", "error", "burst_429")
    fired: Counter[str] = field(default_factory=Counter, repr=False)

    def update(self, values: dict[str, Any]) -> None:
        """Apply ``values`` (from the admin API or the CLI); raises ValueError on bad input."""
        kinds: dict[str, type] = {
            "latency_s": float,
            "latency_jitter_s": float,
            "error_rate": float,
            "error_status": int,
            "drop_rate": float,
            "drop_after_rate": float,
            "burst_429": int,
        }
        parsed: dict[str, float | int] = {}
        for name, value in values.items():
            if name not in kinds or isinstance(value, bool):
                raise ValueError(f"unknown fault {name!r}")
            number = kinds[name](value)
            if number < 0 or (name.endswith("_rate") and number > 1):
                raise ValueError(f"bad value for {name}")
            if name == "error_status" and not 500 <= number <= 599:
                raise ValueError("error_status must be 5xx")
            parsed[name] = number
        for name, number in parsed.items():
            setattr(self, name, number)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("rng", None)
        out.pop("fired", None)
        return out

    def roll(self, rate: float, name: str = "") -> bool:
        hit = rate > 0 and self.rng.random() < rate
        if hit and name:
            self.fired[name] += 1
        return hit

    def delay(self) -> float:
        """This request's added latency (0 when no latency fault is set)."""
        jitter = self.rng.uniform(0, self.latency_jitter_s) if self.latency_jitter_s > 0 else 0.0
        if self.latency_s + jitter > 0:
            self.fired["latency"] += 1
        return self.latency_s + jitter


def parse_spec(spec: str) -> dict[str, str]:
    """``"latency_s=0.2,error_rate=0.1"`` → a dict for :meth:`Faults.update`."""
    out: dict[str, str] = {}
    for part in spec.split(","):
        if part.strip():
            name, _, value = part.partition("=")
            out[name.strip()] = value.strip()
    return out
