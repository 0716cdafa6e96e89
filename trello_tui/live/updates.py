"""Live updates: receiver + public URL + registration, watched, with fallback to polling.

``LiveUpdates`` starts the receiver, gets a public URL (fixed, or from the tunnel), keeps one
webhook per watched board pointing at it, and decides the mode the status line shows:

- **live**: the tunnel is up, every watched board has an active webhook pointing at the current
  URL, and a HEAD sent through the public URL reaches our receiver. The poller then only probes
  now and then (``poller.set_mode("live")``).
- **polling**: anything else. It drops to polling the moment the tunnel process dies, the
  self-probe through the tunnel fails, Trello reports the webhook inactive, gone or failing, or
  the poller's occasional probe finds an action that no delivery brought within
  ``delivery_grace`` seconds. It then re-registers in the background (with backoff) and
  returns to live on its own; on the way back the poller is asked for one catch-up poll, so a
  change made while the webhook pointed nowhere is not lost.

Nothing here raises into the app: every failure becomes a mode and a reason in words.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Literal, Protocol

import httpx

from trello_tui import children
from trello_tui.live.registrar import WebhookRegistrar, WebhookSetupError
from trello_tui.live.tunnel import FixedUrl, Tunnel, TunnelError
from trello_tui.live.webhooks import DEFAULT_MAX_BODY, Delivery, WebhookReceiver
from trello_tui.sync.engine import SyncEngine
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import TrelloError
from trello_tui.trello.models import Action

log = logging.getLogger("trello_tui.webhooks")

Mode = Literal["live", "polling"]


class ConfigWebhooks(Protocol):
    """The ``[webhooks]`` table as ``trello_tui.config.settings`` reads it."""

    @property
    def public_url(self) -> str | None: ...
    @property
    def tunnel_command(self) -> tuple[str, ...]: ...
    @property
    def port(self) -> int: ...
    @property
    def bind(self) -> str: ...
    @property
    def delete_on_exit(self) -> bool: ...


@dataclasses.dataclass(frozen=True, slots=True)
class LiveSettings:
    """Everything live updates need to know; ``from_config`` maps ``[webhooks]`` onto it and
    the timings keep their defaults (tests shrink them)."""

    public_url: str | None = None
    tunnel_command: str | tuple[str, ...] | None = None
    url_pattern: str | None = None
    host: str = "127.0.0.1"  # loopback: only the tunnel needs to reach the receiver
    port: int = 0  # 0 picks a free port
    delete_on_exit: bool = False
    max_body: int = DEFAULT_MAX_BODY
    health_interval: float = 10.0  # tunnel self-probe and re-registration attempts
    status_interval: float = 300.0  # how often Trello's view of each webhook is fetched
    delivery_grace: float = 15.0  # how late a delivery may be before it counts as missed
    probe_timeout: float = 5.0
    exit_timeout: float = 5.0  # the most that deleting our webhooks may add to the app's exit
    retry_initial: float = 2.0
    retry_max: float = 120.0
    tunnel_start_timeout: float = 30.0
    tunnel_backoff_initial: float = 1.0
    tunnel_backoff_max: float = 60.0

    @classmethod
    def from_config(cls, webhooks: ConfigWebhooks, **timings: float) -> LiveSettings:
        return cls(
            public_url=webhooks.public_url,
            tunnel_command=webhooks.tunnel_command or None,
            host=webhooks.bind,
            port=webhooks.port,
            delete_on_exit=webhooks.delete_on_exit,
            **timings,  # type: ignore[arg-type]
        )


@dataclasses.dataclass(frozen=True, slots=True)
class LiveStatus:
    """What the status line shows: the mode and, when polling, why."""

    mode: Mode
    reason: str = ""
    url: str | None = None


class PollControl(Protocol):
    """What live updates need from the poller."""

    observers: list[Callable[[str, list[Action]], None]]

    def set_mode(self, mode: Mode) -> None: ...

    def poll_now(self) -> None: ...


DeliveryHandler = Callable[[Delivery], Awaitable[None]]
StatusListener = Callable[[LiveStatus], None]


def merge_into(engine_for: Callable[[str], SyncEngine | None]) -> DeliveryHandler:
    """Hand each delivery to its board's engine (the same merge polled actions go through).

    A failed merge (the engine could not fetch what the action touched) raises, so the
    receiver answers 500 and Trello delivers again; the poller is also asked to look.
    """

    async def handle(delivery: Delivery) -> None:
        engine = engine_for(delivery.model_id)
        if engine is None:
            return  # a board closed since; its webhook goes at the next registration pass
        if not await engine.merge_actions([delivery.action]):
            raise MergeFailed(f"could not merge action {delivery.action.id}")

    return handle


class MergeFailed(Exception):
    """The engine could not merge a delivered action (it will arrive again)."""


class LiveUpdates:
    """Owns the receiver, the tunnel and our webhooks; reports live or polling."""

    def __init__(
        self,
        client: TrelloClient,
        secret: str,
        settings: LiveSettings,
        on_delivery: DeliveryHandler,
        poller: PollControl | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.poller: PollControl | None = None
        self._on_delivery = on_delivery
        self.receiver = WebhookReceiver(
            secret,
            self._deliver,
            host=settings.host,
            port=settings.port,
            max_body=settings.max_body,
        )
        self.registrar = WebhookRegistrar(client, self.receiver)
        self.source: FixedUrl | Tunnel | None = None
        self.status = LiveStatus("polling", "starting")
        self.boards: set[str] = set()
        self._listeners: list[StatusListener] = []
        self._health: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._registered_url: dict[str, str] = {}
        self._failures: dict[str, int] = {}
        self._pending: dict[str, float] = {}  # polled action id -> deadline for its delivery
        self._next_status = 0.0
        self._retry_delay = settings.retry_initial
        self._next_attempt = 0.0
        self._http: httpx.AsyncClient | None = None
        self._stopping = False
        if poller is not None:
            self.attach(poller)

    @property
    def mode(self) -> Mode:
        return self.status.mode

    @property
    def public_url(self) -> str | None:
        return self.source.url if self.source is not None else None

    def listen(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self, boards: Iterable[str] = ()) -> LiveStatus:
        """Start everything; never raises for setup problems (they become the status)."""
        self.boards.update(boards)
        self._http = httpx.AsyncClient(timeout=self.settings.probe_timeout)
        self._set(LiveStatus("polling", "starting live updates"))
        try:
            await self.receiver.start()
        except OSError as exc:
            self._set(LiveStatus("polling", f"cannot listen on {self.settings.host}: {exc}"))
            return self.status
        self.source = self._make_source()
        if self.source is not None:
            self.source.listen(self._on_url)
            try:
                await self.source.start()
            except TunnelError as exc:
                self._backoff()  # the health loop tries again later
                self._set(LiveStatus("polling", str(exc)))
        self._health = asyncio.create_task(self._health_loop(), name="live-updates")
        self._wake.set()
        return self.status

    async def stop(self) -> None:
        self._stopping = True
        if self._health is not None:
            self._health.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._health
            self._health = None
        if self.settings.delete_on_exit:
            # Bounded: an unreachable Trello must not hold the app's exit for long.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.exit_timeout):
                    await self.registrar.remove_all()
        if self.source is not None:
            await self.source.stop()
        await self.receiver.stop()
        if self._http is not None:
            await self._http.aclose()
        self._set(LiveStatus("polling", "live updates stopped"))

    def attach(self, poller: PollControl) -> None:
        """Drive this poller from now on (the app makes a new one per open board)."""
        if self.poller is not None and self.note_polled in self.poller.observers:
            self.poller.observers.remove(self.note_polled)
        self.poller = poller
        poller.observers.append(self.note_polled)  # its probe checks our deliveries
        poller.set_mode(self.mode)

    def watch(self, board_id: str) -> None:
        """Keep a webhook on this board (registered in the background)."""
        self.boards.add(board_id)
        url = self.public_url
        if url is None or self._registered_url.get(board_id) != url:
            self._fall_back(f"registering the webhook for board {board_id}")

    def focus(self, board_id: str) -> None:
        """Only this board needs to be live now; webhooks made for others stay until exit."""
        self.boards = {board_id}
        self._pending.clear()
        self.watch(board_id)

    async def unwatch(self, board_id: str) -> None:
        self.boards.discard(board_id)
        self._registered_url.pop(board_id, None)
        try:
            await self.registrar.remove(board_id)
        except TrelloError as exc:
            log.warning("could not delete the webhook for board %s: %s", board_id, exc)

    # -- signals in --------------------------------------------------------------------

    def note_polled(self, board_id: str, actions: Iterable[Action]) -> None:
        """The poller's probe found these actions; each must also arrive by webhook in time."""
        if self.mode != "live" or board_id not in self.boards:
            return
        now = time.monotonic()
        server_now = self.client.server_time()
        for action in actions:
            if self.receiver.seen(board_id, action.id):
                continue
            age = server_now - action.date.timestamp() if action.date else 0.0
            deadline = now + max(0.0, self.settings.delivery_grace - age)
            self._pending.setdefault(action.id, deadline)
        self._check_pending(now)

    async def _deliver(self, delivery: Delivery) -> None:
        self._pending.pop(delivery.action.id, None)
        try:
            await self._on_delivery(delivery)
        except Exception:
            if self.poller is not None:
                self.poller.poll_now()  # do not wait for Trello's retry to catch up
            raise
        if self.mode == "polling":
            self._wake.set()  # deliveries are flowing: see whether live can resume

    def _on_url(self, url: str | None) -> None:
        if self._stopping or children.ending():  # we are ending it: no fallback to report
            return
        if url is None:
            self._fall_back("the tunnel stopped; polling until it is back")
        else:
            self._fall_back(f"the tunnel is up at {url}; registering the webhooks")

    # -- mode --------------------------------------------------------------------------

    def _set(self, status: LiveStatus) -> None:
        if status == self.status:
            return
        changed = status.mode != self.status.mode
        self.status = status
        if changed:
            log.info("live updates: %s%s", status.mode, f" ({status.reason})" * bool(status.reason))
            if self.poller is not None:
                if status.mode == "live":
                    self.poller.poll_now()  # catch what happened while nothing was delivered
                self.poller.set_mode(status.mode)
        for listener in list(self._listeners):
            try:
                listener(status)
            except Exception:
                log.exception("live status listener failed")

    def _fall_back(self, reason: str) -> None:
        if self.mode == "live":
            log.warning("live updates: %s", reason)
        self._set(LiveStatus("polling", reason, self.public_url))
        self._next_attempt = 0.0
        self._wake.set()

    def _check_pending(self, now: float) -> None:
        late = [aid for aid, deadline in self._pending.items() if deadline <= now]
        if not late:
            return
        for aid in late:
            del self._pending[aid]
        self._fall_back(f"{len(late)} change(s) did not arrive by webhook; polling instead")
        self._registered_url.clear()  # make the next attempt re-check with Trello

    # -- health ------------------------------------------------------------------------

    async def _health_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel
                async with asyncio.timeout(self.settings.health_interval):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self._check()
            except Exception:
                log.exception("live updates health check failed")

    async def _check(self) -> None:
        now = time.monotonic()
        self._check_pending(now)
        if self.source is not None and not self.source.running and now >= self._next_attempt:
            await self._restart_source()
        url = self.public_url
        if url is None or self.source is None or not self.source.alive:
            return  # the tunnel listener already switched to polling; it restarts itself
        if not await self._self_probe(url):
            self._fall_back(f"{url} does not reach the app; polling until it does")
            return
        if self.mode == "live" and now >= self._next_status:
            self._next_status = now + self.settings.status_interval
            await self._check_status()
        if self.mode == "polling" and now >= self._next_attempt:
            await self._try_live(url)

    async def _try_live(self, url: str) -> None:
        try:
            for board_id in sorted(self.boards):
                if self._registered_url.get(board_id) != url:
                    hook = await self.registrar.ensure(board_id, url)
                    self._failures[board_id] = hook.consecutive_failures
                    self._registered_url[board_id] = url
        except (WebhookSetupError, TrelloError) as exc:
            self._backoff()
            self._set(LiveStatus("polling", str(exc), url))
            return
        self._retry_delay = self.settings.retry_initial
        self._next_status = time.monotonic() + self.settings.status_interval
        self._set(LiveStatus("live", "", url))

    async def _restart_source(self) -> None:
        """The tunnel never came up (or gave up): try again, with the same backoff."""
        assert self.source is not None
        try:
            await self.source.start()
        except TunnelError as exc:
            self._backoff()
            self._set(LiveStatus("polling", str(exc)))
            return
        self._retry_delay = self.settings.retry_initial

    def _backoff(self) -> None:
        self._next_attempt = time.monotonic() + self._retry_delay
        self._retry_delay = min(self._retry_delay * 2, self.settings.retry_max)

    async def _check_status(self) -> None:
        for board_id in sorted(self.boards):
            try:
                hook = await self.registrar.status(board_id)
            except TrelloError as exc:
                log.info("could not read the webhook of board %s: %s", board_id, exc)
                continue
            if hook is None or not hook.active:
                self._registered_url.pop(board_id, None)
                state = "was deleted" if hook is None else "is inactive"
                self._fall_back(f"Trello says the webhook for board {board_id} {state}")
                return
            known = self._failures.get(board_id, 0)
            self._failures[board_id] = hook.consecutive_failures
            if hook.consecutive_failures > known:
                self._registered_url.pop(board_id, None)
                since = _ago(hook.first_consecutive_fail_date)
                self._fall_back(
                    f"Trello failed {hook.consecutive_failures} time(s) to deliver"
                    f" to this app{since}; polling instead"
                )
                return

    async def _self_probe(self, url: str) -> bool:
        """HEAD through the public URL; True only if our own receiver answered it."""
        assert self._http is not None
        nonce = secrets.token_hex(8)
        path = f"{self.receiver.path_prefix}/_probe/{nonce}"
        try:
            response = await self._http.head(url + path)
        except httpx.HTTPError as exc:
            log.info("self-probe through %s failed: %s", url, type(exc).__name__)
            return False
        return response.status_code == 200 and path in self.receiver.recent_probes

    def _make_source(self) -> FixedUrl | Tunnel | None:
        s = self.settings
        if s.public_url:
            return FixedUrl(s.public_url)
        if s.tunnel_command:
            assert self.receiver.port is not None
            try:
                return Tunnel(
                    s.tunnel_command,
                    self.receiver.local_url,
                    self.receiver.port,
                    start_timeout=s.tunnel_start_timeout,
                    backoff_initial=s.tunnel_backoff_initial,
                    backoff_max=s.tunnel_backoff_max,
                    url_pattern=s.url_pattern,
                )
            except TunnelError as exc:
                self._set(LiveStatus("polling", str(exc)))
                return None
        self._set(
            LiveStatus(
                "polling",
                "live updates need a public URL: set [webhooks] public_url or tunnel_command",
            )
        )
        return None


def _ago(when: datetime | None) -> str:
    if when is None:
        return ""
    minutes = max(0, int((datetime.now(UTC) - when).total_seconds() // 60))
    return f" over the last {minutes} min" if minutes else ""
