"""Faults on demand for reliability tests: latency, 5xx answers, dropped connections, 429s.

Set at start-up (``--faults latency_s=0.2,error_rate=0.1``) or live through
``POST /_sandbox/faults`` when the admin API is on. A dropped connection is simulated by
starting the response and then failing: over uvicorn the client sees the connection close
mid-answer; in-process (httpx.ASGITransport) it sees ``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Faults:
    latency_s: float = 0.0  # added to every /1 request
    error_rate: float = 0.0  # fraction answered with ``error_status``
    error_status: int = 503
    drop_rate: float = 0.0  # fraction whose connection is dropped mid-answer
    burst_429: int = 0  # the next N requests get Trello's token-limit 429
    rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)

    def update(self, values: dict[str, Any]) -> None:
        """Apply ``values`` (from the admin API or the CLI); raises ValueError on bad input."""
        kinds: dict[str, type] = {
            "latency_s": float,
            "error_rate": float,
            "error_status": int,
            "drop_rate": float,
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
        return out

    def roll(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate


def parse_spec(spec: str) -> dict[str, str]:
    """``"latency_s=0.2,error_rate=0.1"`` → a dict for :meth:`Faults.update`."""
    out: dict[str, str] = {}
    for part in spec.split(","):
        if part.strip():
            name, _, value = part.partition("=")
            out[name.strip()] = value.strip()
    return out
