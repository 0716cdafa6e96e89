"""The queue's vocabulary: priorities, their shares of the budget, jobs, waiters, stats.

Split from queue.py to keep each module small; ``RequestQueue`` is the only user of ``Job``
and ``Waiter``. ``Priority`` and ``QueueStats`` are public (re-exported by queue.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import deque
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from trello_tui.trello.calls import ApiCall


class Priority(IntEnum):
    INTERACTIVE = 0
    CAPTURE = 1
    SYNC = 2
    BACKGROUND = 3


CANCELLABLE = frozenset({Priority.SYNC, Priority.BACKGROUND})
#: Share of each rate window that less urgent work must leave free for more urgent work.
RESERVE = {
    Priority.INTERACTIVE: 0.0,
    Priority.CAPTURE: 0.0,
    Priority.SYNC: 0.03,
    Priority.BACKGROUND: 0.06,
}
#: Priorities sent at an even pace rather than in bursts (see RateLimiter.delay).
PACED = frozenset({Priority.SYNC, Priority.BACKGROUND})
BATCH_MAX = 10


@dataclasses.dataclass
class Delivery:
    """What a caller learns of how its request went besides the answer."""

    #: an attempt that may have reached Trello failed and the request was sent again (or
    #: given up): Trello may have acted on the earlier attempt first
    maybe_repeated: bool = False


@dataclasses.dataclass(eq=False)
class Waiter:
    future: asyncio.Future[Any]
    tag: str | None
    priority: Priority
    submitted: float
    delivery: Delivery | None = None


@dataclasses.dataclass(eq=False)
class Job:
    seq: int
    priority: Priority
    call: ApiCall[Any] | None
    factory: Callable[[], ApiCall[Any]] | None
    idempotent: bool | None
    waiters: list[Waiter]
    #: sends of the call itself, and of its reconcile lookup (each capped by max_attempts)
    attempts: int = 0
    lookups: int = 0
    #: a create whose earlier attempt may have reached Trello: look before resending
    reconcile: bool = False
    #: an earlier attempt may have been applied (a DELETE's 404 then means done)
    maybe_applied: bool = False
    first_sent_wall: float | None = None
    first_sent: float | None = None
    in_flight: bool = False
    dead: bool = False
    #: the heap entry that is current; older entries for this job are skipped
    entry: int = -1
    task: asyncio.Task[None] | None = None
    batched: bool = False

    @property
    def tags(self) -> set[str | None]:
        return {w.tag for w in self.waiters}


@dataclasses.dataclass
class QueueStats:
    submitted: int = 0
    sent: int = 0
    batches: int = 0
    batched_calls: int = 0
    coalesced: int = 0
    retries: int = 0
    reconciled: int = 0
    reconcile_lookups: int = 0
    rate_limited: int = 0
    cancelled: int = 0
    failed: int = 0
    #: seconds from submit to the first send, and to the answer, per priority
    waits: dict[Priority, deque[float]] = dataclasses.field(default_factory=dict)
    latencies: dict[Priority, deque[float]] = dataclasses.field(default_factory=dict)

    def note(self, table: dict[Priority, deque[float]], priority: Priority, value: float) -> None:
        table.setdefault(priority, deque(maxlen=10_000)).append(value)
