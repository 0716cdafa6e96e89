"""The local webhook receiver: Trello's deliveries, checked, de-duplicated, handed on.

A real HTTP server (Starlette served by uvicorn) runs as a task in the app's own event loop,
bound to loopback unless configured otherwise; the user's tunnel forwards Trello's POSTs to it.

What it accepts, and why each check is there:

- ``HEAD`` and ``GET`` answer 200 on every path: Trello sends a ``HEAD`` when a webhook is
  created and refuses to create it on anything else.
- ``POST`` bodies are capped (413 before reading when ``Content-Length`` says too much, and
  while reading otherwise) so nobody can make the app buffer megabytes.
- ``X-Trello-Webhook`` must equal base64(HMAC-SHA1(app secret, raw body + callbackURL)),
  compared in constant time, where callbackURL is the URL *as registered* for that path (the
  previous one is accepted too, so a delivery in flight while the tunnel moved still counts).
- The body must be a JSON object with an ``action`` carrying an ``id``; anything else is 400.
- An action id already seen is answered 200 and dropped: Trello retries, tunnels replay.

Rejections are logged (reason, path, size; never a header value or a secret) and counted in
``ReceiverStats``; they never reach the engine and never raise into the app.

Registration is in ``registrar.py``, the public URL in ``tunnel.py``, health in ``updates.py``.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from trello_tui.trello import checks
from trello_tui.trello.models import Action

log = logging.getLogger("trello_tui.webhooks")

SIGNATURE_HEADER = "x-trello-webhook"
DEFAULT_PATH_PREFIX = "/trello/webhook"
DEFAULT_MAX_BODY = 256 * 1024
DEFAULT_SEEN_CAPACITY = 4096


def sign(secret: str, body: bytes, callback_url: str) -> str:
    """Trello's signature: base64(HMAC-SHA1(secret, raw body + callbackURL as registered))."""
    digest = hmac.new(secret.encode(), body + callback_url.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_matches(secret: str, body: bytes, callback_url: str, header: str) -> bool:
    """Constant-time check of one ``X-Trello-Webhook`` value against one callback URL."""
    expected = sign(secret, body, callback_url).encode("ascii")
    try:
        given = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)


@dataclasses.dataclass(frozen=True, slots=True)
class Delivery:
    """One accepted webhook POST: the action, the model the webhook watches, when it came."""

    model_id: str
    action: Action
    webhook_id: str | None
    path: str
    received_at: float


DeliverySink = Callable[[Delivery], Awaitable[None]]


@dataclasses.dataclass(slots=True)
class ReceiverStats:
    """Counters the health monitor and ``doctor`` read; reasons are short fixed words."""

    accepted: int = 0
    duplicates: int = 0
    probes: int = 0
    rejected: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    last_delivery: dict[str, float] = dataclasses.field(default_factory=dict)
    last_any: float | None = None

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


class _SeenIds:
    """A bounded set of action ids: the oldest are forgotten first, memory stays flat."""

    def __init__(self, capacity: int) -> None:
        self._capacity = max(1, capacity)
        self._ids: collections.OrderedDict[str, None] = collections.OrderedDict()

    def __contains__(self, action_id: str) -> bool:
        return action_id in self._ids

    def add(self, action_id: str) -> None:
        self._ids[action_id] = None
        self._ids.move_to_end(action_id)
        while len(self._ids) > self._capacity:
            self._ids.popitem(last=False)

    def discard(self, action_id: str) -> None:
        self._ids.pop(action_id, None)

    def __len__(self) -> int:
        return len(self._ids)


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: the app (Textual) owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class _Rejected(Exception):
    def __init__(self, status: int, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.detail = detail


class WebhookReceiver:
    """Serves the webhook endpoint on ``host:port`` inside the running event loop.

    ``expect(path, callback_url)`` tells it the URL a webhook was registered with, which is what
    Trello signs; paths nobody registered are refused. ``sink`` gets every accepted delivery.
    """

    def __init__(
        self,
        secret: str,
        sink: DeliverySink,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_body: int = DEFAULT_MAX_BODY,
        seen_capacity: int = DEFAULT_SEEN_CAPACITY,
        path_prefix: str = DEFAULT_PATH_PREFIX,
    ) -> None:
        if not secret:
            raise ValueError("webhooks need the app secret to check signatures")
        self._secret = secret
        self._sink = sink
        self.host = host
        self._requested_port = port
        self.max_body = max_body
        self.path_prefix = "/" + path_prefix.strip("/")
        self.stats = ReceiverStats()
        self._seen = _SeenIds(seen_capacity)
        #: paths of the latest GET/HEAD requests (the health check's self-probe looks here)
        self.recent_probes: collections.deque[str] = collections.deque(maxlen=32)
        self._callbacks: dict[str, collections.deque[str]] = {}
        self._server: _QuietServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None
        self.app = Starlette(
            routes=[Route("/{path:path}", self._endpoint, methods=["GET", "HEAD", "POST"])]
        )

    def __repr__(self) -> str:
        return f"WebhookReceiver(host={self.host!r}, port={self.port!r})"

    # -- addresses ---------------------------------------------------------------------

    @property
    def port(self) -> int | None:
        """The port actually bound (known once ``start`` returns), or None before."""
        if self._socket is None:
            return None
        return int(self._socket.getsockname()[1])

    @property
    def local_url(self) -> str:
        """Where the tunnel should forward to, e.g. ``http://127.0.0.1:53127``."""
        if self.port is None:
            raise RuntimeError("the receiver is not started")
        # Bound to every interface: the tunnel still reaches it best over loopback.
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def path_for(self, model_id: str) -> str:
        """The path a webhook for this model posts to (one path per model, so logs say which)."""
        return f"{self.path_prefix}/{model_id}"

    def expect(self, path: str, callback_url: str) -> None:
        """Accept signatures made with ``callback_url`` on ``path`` (the last two are kept)."""
        urls = self._callbacks.setdefault(path, collections.deque(maxlen=2))
        if callback_url in urls:
            urls.remove(callback_url)
        urls.append(callback_url)

    def forget(self, path: str) -> None:
        self._callbacks.pop(path, None)

    def seen(self, model_id: str, action_id: str) -> bool:
        """True when this action was already accepted for this model's webhook.

        Keyed by model too: a card moved between two watched boards is one action delivered
        to both boards' webhooks, and each board must get it.
        """
        return f"{model_id}/{action_id}" in self._seen

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Bind (errors surface here, as OSError) and serve until ``stop``."""
        if self._task is not None:
            return
        sock = _bind(self.host, self._requested_port)
        config = uvicorn.Config(
            self.app,
            http="h11",
            lifespan="off",
            log_config=None,  # never touch the app's logging; stray output would tear a TUI
            access_log=False,
            server_header=False,
            limit_concurrency=64,
            timeout_keep_alive=30,
            timeout_graceful_shutdown=2,
            h11_max_incomplete_event_size=16 * 1024,
        )
        self._socket = sock
        self._server = _QuietServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="webhooks")
        while not self._server.started:
            if self._task.done():
                self._task.result()  # re-raise why it could not start
                raise RuntimeError("the webhook receiver stopped while starting")
            await asyncio.sleep(0.005)
        log.info("webhook receiver listening on %s", self.local_url)

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(self._task, timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            self._task.cancel()
        finally:
            self._task = None
            self._server = None
            if self._socket is not None:
                self._socket.close()
                self._socket = None

    # -- the endpoint ------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        if request.method in ("HEAD", "GET"):
            # Trello's creation check, and a tunnel's own health check.
            self.stats.probes += 1
            self.recent_probes.append(request.url.path)
            return PlainTextResponse("ok")
        path = request.url.path
        try:
            delivery = await self._accept(request, path)
        except _Rejected as rejected:
            self.stats.rejected[rejected.reason] += 1
            log.warning(
                "webhook delivery rejected (%s) on %s from %s%s",
                rejected.reason,
                path,
                request.client.host if request.client else "?",
                f": {rejected.detail}" if rejected.detail else "",
            )
            return PlainTextResponse(rejected.reason, status_code=rejected.status)
        if delivery is None:
            return PlainTextResponse("ok")
        try:
            await self._sink(delivery)
        except Exception:
            # Our own bug, not the sender's; a 500 makes Trello retry the delivery later.
            log.exception("merging webhook action %s failed", delivery.action.id)
            self._seen.discard(f"{delivery.model_id}/{delivery.action.id}")  # let a retry in
            return PlainTextResponse("error", status_code=500)
        return PlainTextResponse("ok")

    async def _accept(self, request: Request, path: str) -> Delivery | None:
        body = await self._read_body(request)
        candidates = self._callbacks.get(path)
        if not candidates:
            raise _Rejected(404, "unknown-path")
        header = request.headers.get(SIGNATURE_HEADER)
        if not header:
            raise _Rejected(401, "unsigned")
        if not any(signature_matches(self._secret, body, url, header) for url in candidates):
            raise _Rejected(401, "bad-signature", f"{len(body)} bytes")
        payload = _parse(body)
        action = Action.from_json(payload["action"])
        model = payload.get("model")
        webhook = payload.get("webhook")
        model_id = str(model.get("id", "")) if isinstance(model, Mapping) else ""
        model_id = model_id or path.rsplit("/", 1)[-1]
        key = f"{model_id}/{action.id}"
        if key in self._seen:
            self.stats.duplicates += 1
            log.info("webhook delivery of action %s ignored: already seen", action.id)
            return None
        # Marked before the merge runs, so a retry racing the first copy is dropped too.
        self._seen.add(key)
        now = time.monotonic()
        self.stats.accepted += 1
        self.stats.last_any = now
        self.stats.last_delivery[model_id] = now
        return Delivery(
            model_id=model_id,
            action=action,
            webhook_id=str(webhook["id"])
            if isinstance(webhook, Mapping) and "id" in webhook
            else None,
            path=path,
            received_at=now,
        )

    async def _read_body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                raise _Rejected(400, "bad-length") from None
            if size > self.max_body:
                raise _Rejected(413, "too-large", f"{size} bytes declared")
        chunks: list[bytes] = []
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > self.max_body:
                raise _Rejected(413, "too-large", f"over {self.max_body} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _parse(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _Rejected(400, "not-json") from None
    if not isinstance(payload, dict):
        raise _Rejected(400, "not-an-object")
    action = payload.get("action")
    if not isinstance(action, dict) or not isinstance(action.get("id"), str) or not action["id"]:
        raise _Rejected(400, "no-action")
    wrong = checks.problem("Action", action)
    if wrong is not None:
        raise _Rejected(400, "malformed-action", wrong)
    return payload


def _bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves, so errors are ours to report and the port is known."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock
