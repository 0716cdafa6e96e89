"""Client-side rate limiting that keeps us inside Trello's budgets without blocking the loop.

Three sliding windows, seeded from Trello's documentation (research/trello-api.md §2):

* the token: 100 requests / 10 s,
* the key: 300 / 10 s (shared with every other process using the same app key),
* ``/1/members/*``: 100 / 900 s.

A request is recorded in a window when it is *sent*; it leaves the window ``interval`` plus a
small pad later, because Trello counts it on arrival, a little after we sent it. Each window
also keeps a safety margin of a few requests below the maximum.

Every response corrects the picture: the ``x-rate-limit-*-max``/``-interval-ms`` headers
replace the seeded limits, and when ``-remaining`` says Trello counted more requests than we
sent (another client on the same token or key), the difference is booked as "phantom"
requests so we slow down accordingly.

A 429 pauses *everything* until ``Retry-After`` (or the rest of the window) plus jitter:
retries do not hammer Trello, and a burst of 429s cannot grow (Trello blocks a key that
collects more than 200 in a window).

``acquire(route)`` waits with ``asyncio.sleep`` and never blocks the event loop.
``delay(route)`` and ``record(route)`` let the request queue pick the most urgent request at
the moment a slot opens, instead of reserving a slot for whichever request asked first.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Callable, Mapping

TOKEN = "token"
KEY = "key"
MEMBER = "member"


def route_windows(path: str) -> tuple[str, ...]:
    """The windows a request to ``path`` (below ``/1``) counts against."""
    bare = path.split("?", 1)[0]
    if bare.startswith("/1/"):
        bare = bare[2:]
    if bare.startswith("/members/") or bare == "/members":
        return (TOKEN, KEY, MEMBER)
    return (TOKEN, KEY)


class Window:
    """One sliding window: at most ``capacity`` sends within any ``interval`` seconds."""

    def __init__(self, name: str, maximum: int, interval: float, *, margin: float) -> None:
        self.name = name
        self.maximum = maximum
        self.interval = interval
        self._margin = margin
        self._sent: deque[float] = deque()

    @property
    def capacity(self) -> int:
        """How many we allow ourselves: the maximum less a safety margin of a few percent."""
        return max(1, self.maximum - max(1, math.ceil(self.maximum * self._margin)))

    def _prune(self, now: float, pad: float) -> None:
        edge = now - self.interval - pad
        sent = self._sent
        while sent and sent[0] <= edge:
            sent.popleft()

    def used(self, now: float, pad: float) -> int:
        self._prune(now, pad)
        return len(self._sent)

    def delay(self, now: float, pad: float, reserve: float = 0.0) -> float:
        """Seconds until one more send fits (0 when it fits now).

        ``reserve`` is the share of the window kept free for more urgent work.
        """
        self._prune(now, pad)
        allowed = max(1, self.capacity - math.ceil(self.capacity * reserve))
        excess = len(self._sent) - allowed
        if excess < 0:
            return 0.0
        # The send that must leave the window before there is room again.
        return max(0.0, self._sent[excess] + self.interval + pad - now)

    def record(self, now: float) -> None:
        self._sent.append(now)

    def observe(
        self,
        maximum: int | None,
        interval: float | None,
        remaining: int | None,
        now: float,
        pad: float,
    ) -> int:
        """Adopt the limits Trello reports; book requests it counted that we did not send.

        Returns how many such requests were booked.
        """
        if maximum is not None and maximum > 0:
            self.maximum = maximum
        if interval is not None and interval > 0:
            self.interval = interval
        if remaining is None:
            return 0
        counted = self.maximum - remaining
        missing = max(0, counted - self.used(now, pad))
        # Only ever add: our own sends still in flight make our count the larger one.
        for _ in range(missing):
            self._sent.append(now)
        return missing

    def fill(self, now: float) -> None:
        """Mark the window as full (after a 429 for this budget)."""
        pad = 0.0
        for _ in range(max(0, self.capacity - self.used(now, pad))):
            self._sent.append(now)


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


class RateLimiter:
    """The token, key and member windows, plus a global pause after a 429."""

    def __init__(
        self,
        *,
        token_limit: int = 100,
        key_limit: int = 300,
        member_limit: int = 100,
        window_s: float = 10.0,
        member_window_s: float = 900.0,
        margin: float = 0.02,
        pad_s: float = 0.1,
        jitter_s: float = 0.5,
        pace_share: float = 0.98,
        pace_burst: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.windows: dict[str, Window] = {
            TOKEN: Window(TOKEN, token_limit, window_s, margin=margin),
            KEY: Window(KEY, key_limit, window_s, margin=margin),
            MEMBER: Window(MEMBER, member_limit, member_window_s, margin=margin),
        }
        self.pad_s = pad_s
        self.jitter_s = jitter_s
        self._clock = clock
        self._rng = rng or random.Random()
        self._paused_until = 0.0
        # Pacing: a token bucket refilled at the sustainable rate, holding a small burst.
        self.pace_share = pace_share
        self.pace_burst = pace_burst
        self._bucket = max(1.0, self.windows[TOKEN].capacity * pace_burst)
        self._bucket_at = clock()
        #: learnt from the headers: does a /1/batch cost one request per URL?
        self.batch_counts_each_url = False
        #: how many 429s we were answered, and how many pauses they caused
        self.rate_limited = 0
        self.sent = 0
        # Woken whenever the picture changes, so waiters re-check instead of oversleeping.
        self._changed = asyncio.Event()

    # -- queries ----------------------------------------------------------------------------

    def now(self) -> float:
        return self._clock()

    def delay(self, path: str, *, reserve: float = 0.0, paced: bool = False) -> float:
        """Seconds until a request to ``path`` may be sent (0 = now).

        ``reserve`` keeps that share of every window free (for more urgent requests);
        ``paced`` also holds the request until a token bucket, refilled at the token window's
        sustainable rate and drained by *every* send, has room. Without it, background work
        fills a sliding window in its first seconds and a key press then waits for the whole
        window to pass; with it, sends are spread out and slots keep opening.
        """
        now = self._clock()
        wait = max(0.0, self._paused_until - now)
        for name in route_windows(path):
            wait = max(wait, self.windows[name].delay(now, self.pad_s, reserve))
        if paced:
            self._refill(now)
            if self._bucket < 1.0:
                wait = max(wait, (1.0 - self._bucket) / self._pace_rate())
        return wait

    def _pace_rate(self) -> float:
        """Sends per second that the token window sustains, less a little slack."""
        token = self.windows[TOKEN]
        return self.pace_share * token.capacity / (token.interval + self.pad_s)

    def _refill(self, now: float) -> None:
        burst = max(1.0, self.windows[TOKEN].capacity * self.pace_burst)
        elapsed = max(0.0, now - self._bucket_at)
        self._bucket = min(burst, self._bucket + elapsed * self._pace_rate())
        self._bucket_at = now

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    # -- bookkeeping ------------------------------------------------------------------------

    def record(self, path: str, urls: int = 1) -> None:
        """Book one send to ``path`` now (call right after ``delay`` returned 0).

        ``urls`` is the number of GETs inside a ``/1/batch``: it costs one request (as Trello's
        batch documentation promises and the sandbox does), or one per URL once a response
        has shown that Trello counted it that way (``batch_counts_each_url``).
        """
        now = self._clock()
        weight = urls if self.batch_counts_each_url else 1
        self.sent += 1
        # Every send, urgent or not, drains the pacing bucket: paced work yields to it.
        self._refill(now)
        self._bucket = max(-float(self.windows[TOKEN].capacity), self._bucket - weight)
        for name in route_windows(path):
            for _ in range(weight):
                self.windows[name].record(now)

    async def acquire(self, path: str) -> None:
        """Wait until a request to ``path`` fits every budget, then book it."""
        while True:
            wait = self.delay(path)
            if wait <= 0:
                self.record(path)
                return
            await self.wait(wait)

    async def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking early when a response changes the picture."""
        self._changed.clear()
        # asyncio.wait, not wait_for: the latter can swallow a cancellation on Python 3.11.
        waiter = asyncio.get_running_loop().create_task(self._changed.wait())
        try:
            await asyncio.wait({waiter}, timeout=seconds)
        finally:
            waiter.cancel()

    def _notify(self) -> None:
        self._changed.set()

    def observe(
        self,
        path: str,
        status: int,
        headers: Mapping[str, str],
        retry_after: float | None = None,
        scope: str | None = None,
    ) -> None:
        """Learn from one response: its ``x-rate-limit-*`` headers, and a 429 if it was one."""
        now = self._clock()
        lowered = {k.lower(): v for k, v in headers.items()}
        for name, prefix in ((TOKEN, "x-rate-limit-api-token-"), (KEY, "x-rate-limit-api-key-")):
            missing = self._observe_window(name, prefix, lowered, now)
            if name == TOKEN and missing and path.split("?", 1)[0] in ("/batch", "/1/batch"):
                # Trello counted more than we sent just as a batch came back: count each URL.
                self.batch_counts_each_url = True
        if MEMBER in route_windows(path):
            self._observe_window(MEMBER, "x-rate-limit-member-", lowered, now)
        if status == 429:
            self._on_429(path, retry_after, scope, now)
        self._notify()

    def _observe_window(
        self, name: str, prefix: str, headers: Mapping[str, str], now: float
    ) -> int:
        interval_ms = _header_int(headers, prefix + "interval-ms")
        return self.windows[name].observe(
            _header_int(headers, prefix + "max"),
            interval_ms / 1000.0 if interval_ms else None,
            _header_int(headers, prefix + "remaining"),
            now,
            self.pad_s,
        )

    def _on_429(self, path: str, retry_after: float | None, scope: str | None, now: float) -> None:
        self.rate_limited += 1
        window = {"token": TOKEN, "key": KEY, "member": MEMBER}.get(scope or "", TOKEN)
        if window not in route_windows(path):
            window = TOKEN
        if retry_after is None:
            # No Retry-After: the window that refused us is full; wait out the rest of it.
            self.windows[window].fill(now)
            retry_after = (
                self.windows[window].delay(now, self.pad_s) or self.windows[window].interval
            )
        until = now + retry_after + self._rng.uniform(0, self.jitter_s)
        # Never shorten a pause already in force: late 429s from in-flight requests only extend.
        self._paused_until = max(self._paused_until, until)

    def budget(self, name: str = TOKEN) -> tuple[int, float]:
        """The (maximum, interval) Trello currently reports for a window."""
        window = self.windows[name]
        return window.maximum, window.interval
