"""The chaos machine's instruments: the loop watchdog, the app's transport tap, quiet logs."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator

import httpx


class Watchdog:
    """Sleeps 10 ms at a time and records how late the event loop woke it.

    With ``sample`` (the benchmark's ``--stalls``), a thread also looks at the loop's stack
    whenever the loop has been silent for over 50 ms, so a long stall names its culprit.
    """

    def __init__(self, *, sample: bool = False) -> None:
        self.max_ms = 0.0
        self.worst: str = ""
        self.label = ""
        self.sample = sample
        self.stacks: Counter[str] = Counter()
        #: the longest stall while the driver did each kind of thing
        self.by_label: dict[str, float] = {}
        self.over_50ms = 0
        self.over_100ms = 0
        #: stalls over 100 ms: (ms, what the driver was doing, the stacks sampled meanwhile)
        self.long: list[tuple[float, str, list[tuple[str, int]]]] = []
        self._recent: collections.deque[tuple[float, str]] = collections.deque(maxlen=200)
        #: time the test itself spent holding the loop since the last beat (see ``excused``)
        self._excused = 0.0
        self._beat = time.perf_counter()
        self._task: asyncio.Task[None] | None = None
        self._sampler: threading.Thread | None = None
        self._running = False

    def start(self) -> None:
        self._beat = time.perf_counter()
        self._running = True
        self._task = asyncio.get_running_loop().create_task(self._run())
        if self.sample:
            main = threading.get_ident()
            self._sampler = threading.Thread(target=self._look, args=(main,), daemon=True)
            self._sampler.start()

    async def _run(self) -> None:
        while True:
            began = time.perf_counter()
            self._excused = 0.0
            await asyncio.sleep(0.01)
            self._beat = now = time.perf_counter()
            late = (now - began - 0.01 - self._excused) * 1000
            if late > 50:
                self.over_50ms += 1
            if late > 100:
                self.over_100ms += 1
                seen = [stack for t, stack in self._recent if t >= began]
                self.long.append((late, self.label, Counter(seen).most_common(2)))
            if late > self.max_ms:
                self.max_ms, self.worst = late, self.label
            if late > self.by_label.get(self.label, 0.0):
                self.by_label[self.label] = late

    @contextlib.contextmanager
    def excused(self) -> Iterator[None]:
        """The test's own diagnosis (a copy of Trello's world, a log line) holds the loop:
        the app did not stall meanwhile, so that time is not counted."""
        began = time.perf_counter()
        try:
            yield
        finally:
            self._excused += time.perf_counter() - began
            self._beat = time.perf_counter()

    def _look(self, main: int) -> None:
        while self._running:
            time.sleep(0.01)
            if time.perf_counter() - self._beat > 0.05:
                frame = sys._current_frames().get(main)
                if frame is not None:
                    whole = traceback.extract_stack(frame)
                    # the project's own frames name the culprit; the innermost say what it did
                    ours = [f for f in whole[:-6] if "/site-packages/" not in f.filename]
                    stack = [*ours[-10:], *whole[-6:]]
                    text = "".join(traceback.format_list(stack))
                    self.stacks[text] += 1
                    self._recent.append((time.perf_counter(), text))

    async def stop(self) -> None:
        self._running = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._sampler is not None:
            self._sampler.join()
            self._sampler = None


class Tap(httpx.AsyncBaseTransport):
    """The app's transport: loopback HTTP, noting when each 429 arrived."""

    def __init__(self, seen_429: list[float]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.seen_429 = seen_429

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.HTTPError as error:
            self._note(request, type(error).__name__)
            raise
        if response.status_code == 429:
            self.seen_429.append(time.monotonic())
        self._note(request, str(response.status_code))
        return response

    def _note(self, request: httpx.Request, outcome: str) -> None:
        if request.method != "GET":
            body = request.content.decode(errors="replace")[:80] if request.content else ""
            path = request.url.path.removeprefix("/1")
            WRITES.append(f"{time.monotonic():.2f} {request.method} {path} {body} -> {outcome}")

    async def aclose(self) -> None:
        await self.inner.aclose()


def _not_a_dropped_connection(record: logging.LogRecord) -> bool:
    """Hide the server's log of a fault we injected (a connection dropped on purpose)."""
    # The app's log redaction (trello/redact.py) has turned the traceback into text by now.
    text = record.exc_text or (str(record.exc_info[1]) if record.exc_info else "")
    return "sandbox fault: connection dropped" not in text


#: the app's last writes (for diagnosis)
WRITES: collections.deque[str] = collections.deque(maxlen=60)


def max_in_window(times: list[float], window_s: float = 10.0) -> int:
    best, start = 0, 0
    ordered = sorted(times)
    for end, t in enumerate(ordered):
        while t - ordered[start] >= window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


@contextlib.contextmanager
def quiet_dropped_connections() -> Iterator[None]:
    """A dropped connection is an exception in the sandbox's server: not worth a traceback."""
    log = logging.getLogger("uvicorn.error")
    log.addFilter(_not_a_dropped_connection)
    try:
        yield
    finally:
        log.removeFilter(_not_a_dropped_connection)
