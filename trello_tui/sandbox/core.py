"""The :class:`Sandbox`: a world, its ASGI app, rate limits, faults, webhooks and stats.

``sb.app`` serves the Trello routes under ``/1`` (and ``/_sandbox/`` when ``config.admin``).
Each request: faults → the body's declared size → credentials found in the query or the
``Authorization`` header (a bad one is refused before the body is read) → parameters (query,
then a form or JSON body streamed up to its cap: sandbox/bodies.py) → rate limits → auth →
route handler; every answer carries the ``x-rate-limit-*`` headers.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from trello_tui.sandbox import oauth
from trello_tui.sandbox.auth import Credentials, authenticate, read_credentials
from trello_tui.sandbox.bodies import CLOSE, MAX_BODY, check_declared, has_body, read_capped, replay
from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import ApiError
from trello_tui.sandbox.faults import Faults
from trello_tui.sandbox.oauth import check_grant
from trello_tui.sandbox.ratelimit import Limits, RateLimiter
from trello_tui.sandbox.router import API
from trello_tui.sandbox.routes import oauth as oauth_routes
from trello_tui.sandbox.world import World

if TYPE_CHECKING:
    from trello_tui.sandbox.webhooks import Deliverer

BASE_URL = "http://sandbox.invalid/1"
METHODS = ["GET", "POST", "PUT", "DELETE"]
PHRASES = {s.value: s.phrase for s in HTTPStatus}


@dataclass(slots=True)
class SandboxConfig:
    token_limit: int = 100
    key_limit: int = 300
    member_limit: int = 100
    window_s: float = 10.0
    member_window_s: float = 900.0
    key_429_block: int = 200
    admin: bool = False
    # The admin API's bearer token; "" makes a fresh one per run (``Sandbox.admin_token``).
    admin_token: str = ""
    # The one folder from which a reset (``POST /_sandbox/reset``) may read seed files.
    seeds_dir: Path | None = None
    webhook_timeout_s: float = 30.0
    webhook_retry_delays: tuple[float, ...] = (30.0, 60.0, 120.0)
    # A webhook is deactivated once it has failed this many deliveries in a row, or has been
    # failing for this long (Trello's threshold is unconfirmed; these are our defaults).
    webhook_max_failures: int = 1000
    webhook_disable_after_s: float = 30 * 86400.0
    webhook_transport: httpx.AsyncBaseTransport | None = None
    faults: Faults = field(default_factory=Faults)

    def limits(self) -> Limits:
        return Limits(
            self.token_limit,
            self.key_limit,
            self.member_limit,
            self.window_s,
            self.member_window_s,
            self.key_429_block,
        )


@dataclass(slots=True)
class Stats:
    """Requests and 429s per token (named by its member's username) and per route."""

    requests_by_token: Counter[str] = field(default_factory=Counter)
    limited_by_token: Counter[str] = field(default_factory=Counter)
    requests_by_route: Counter[str] = field(default_factory=Counter)
    limited_by_route: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tokens": {
                k: {"requests": v, "429": self.limited_by_token[k]}
                for k, v in self.requests_by_token.items()
            },
            "routes": {
                k: {"requests": v, "429": self.limited_by_route[k]}
                for k, v in self.requests_by_route.items()
            },
            "requests": sum(self.requests_by_token.values()),
            "429": sum(self.limited_by_token.values()),
        }


class DroppedResponse(Response):
    """A fault: the answer starts, then the connection dies (uvicorn closes it mid-body;
    httpx.ASGITransport hands the client the same ``RemoteProtocolError``)."""

    def __init__(self) -> None:
        super().__init__(b"")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        raise httpx.RemoteProtocolError("sandbox fault: connection dropped")


def _json_response(status: int, body: Any, headers: dict[str, str]) -> Response:
    try:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate: JSON escapes it (as Trello's JSON does)
        data = json.dumps(body, separators=(",", ":")).encode()
    return Response(data, status, headers, media_type="application/json; charset=utf-8")


def error_response(err: ApiError, headers: dict[str, str]) -> Response:
    headers = {**headers, **err.headers}
    if err.json_body is not None:
        return _json_response(err.status, err.json_body, headers)
    return Response(err.body, err.status, headers, media_type="text/plain; charset=utf-8")


class Sandbox:
    """A Trello-compatible server: see ``notes/sandbox-contract.md`` for the interface."""

    def __init__(self, world: World, config: SandboxConfig, seed: str) -> None:
        from trello_tui.sandbox.webhooks import Deliverer

        self.world = world
        self.config = config
        self.seed = seed
        self.started_seed = seed  # a reset may name it again, even when it is a file
        self.admin_token = config.admin_token or secrets.token_urlsafe(32)
        self.faults = config.faults
        self.limiter = RateLimiter(config.limits())
        self.stats_data = Stats()
        self.deliverer: Deliverer = Deliverer(self)
        self.base_url = BASE_URL
        self.app = self._build_app()

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def create(cls, seed: str = "demo", config: SandboxConfig | None = None) -> Sandbox:
        from trello_tui.sandbox.seeds import build_world

        return cls(build_world(seed), config or SandboxConfig(), seed)

    def reset(self, seed: str | None = None) -> None:
        """A fresh world from ``seed`` (default: the current one); credentials stay the same."""
        from trello_tui.sandbox.seeds import build_world

        seed = seed or self.seed
        new = build_world(seed)
        old = self.world
        new.key, new.secret = old.key, old.secret
        by_name = {m.username: m.id for m in old.members.values()}
        for tok in list(new.tokens.values()):
            username = new.members[tok.id_member].username
            if username in by_name:
                try:
                    tok.token = old.token_of(by_name[username])
                except KeyError:
                    continue
        new.tokens = {t.token: t for t in new.tokens.values()}
        self.world = new
        self.seed = seed
        self.limiter.reset()
        self.stats_data = Stats()
        self.world.outbox.clear()

    @property
    def credentials(self) -> Credentials:
        w = self.world
        tokens = {w.members[t.id_member].username: t.token for t in w.tokens.values()}
        me = w.members[w.me].username
        # "" once the main token has been revoked (DELETE /1/tokens/{token})
        return Credentials(
            key=w.key, secret=w.secret, token=tokens.get(me, ""), tokens=tokens, me=me
        )

    @property
    def stats(self) -> dict[str, Any]:
        return self.stats_data.as_dict()

    async def drain(self) -> None:
        """Wait until every webhook delivery scheduled so far has finished (tests use it)."""
        await self.deliverer.drain()

    # -- serving ---------------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Any:
        from trello_tui.sandbox.serve import serve_async

        return serve_async(self, host, port)

    def serve_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> Any:
        from trello_tui.sandbox.serve import serve_thread

        return serve_thread(self, host, port)

    # -- the ASGI app ----------------------------------------------------------------------
    def _build_app(self) -> Starlette:
        routes = [StarletteRoute("/1/{path:path}", self._endpoint, methods=METHODS)]
        if self.config.admin:
            from trello_tui.sandbox.admin import admin_routes

            routes.extend(admin_routes(self))
        return Starlette(routes=routes)

    async def _endpoint(self, request: Request) -> Response:
        path = "/" + request.path_params["path"].rstrip("/")
        faults = self.faults
        delay = faults.delay()
        if delay > 0:
            await asyncio.sleep(delay)
        if faults.roll(faults.drop_rate, "drop"):
            return DroppedResponse()
        auth = request.headers.get("authorization")
        params = dict(request.query_params)
        try:
            check_declared(request, MAX_BODY)
        except ApiError as err:  # refused unread, before the credentials, as Trello's edge does
            return error_response(err, {})
        refused = await self._refuse_unread(request.method, path, params, auth)
        if refused is not None:
            if has_body(request):
                refused.headers.update(CLOSE)  # nobody reads the rest of that body
            return refused
        try:
            if request.method != "GET":
                request = replay(request, await read_capped(request, MAX_BODY))
            params.update(await _body_params(request))
        except ApiError as err:  # a malformed body: still counted and rate-limited, then 400
            if err.status == 413:
                return error_response(err, {})
            return await self.handle(request.method, path, params, auth, early_error=err)
        except ClientDisconnect:  # the client went away mid-body: nobody reads an answer
            return Response(b"", 400)
        # OAuth pages and flow, and the signature check of signed requests (sandbox/oauth.py)
        early = await oauth_routes.intercept(self.world, request, path, params)
        if early is not None:
            return early
        response = await self.handle(request.method, path, params, auth)
        if faults.roll(faults.drop_after_rate, "drop_after"):
            return DroppedResponse()  # handled (any change is made), but the answer is lost
        return response

    async def _refuse_unread(
        self, method: str, path: str, query: dict[str, Any], authorization: str | None
    ) -> Response | None:
        """Trello's answer for credentials in the query or the header that are no good, given
        before the body is read; None when they pass, or when the body may carry them."""
        if method == "GET" or path in oauth_routes.FLOW_PATHS:
            return None  # a GET's body is never read; the OAuth flow checks its own tokens
        if oauth.is_signed(authorization):  # the first checks of oauth.verify, which needs the body
            try:
                fields = oauth.oauth_fields(authorization)
            except ApiError as err:
                return error_response(err, {})
            token = fields.get("oauth_token", "")
            if fields.get("oauth_consumer_key") != self.world.key:
                return error_response(ApiError(401, "invalid key"), {})
            if token and token not in self.world.tokens:
                return error_response(ApiError(401, "invalid token"), {})
            return None
        key, token = read_credentials(query, authorization)
        if not (key and token):
            return None  # the body may hold them: it is read, up to its cap, to find out
        try:
            authenticate(self.world, method, key, token)
            check_grant(self.world, method, path, token)
        except ApiError:
            return await self.handle(method, path, query, authorization)  # counted, as ever
        return None

    async def handle(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        authorization: str | None,
        early_error: ApiError | None = None,
    ) -> Response:
        """Answer one ``/1`` request (also used by tests that bypass HTTP)."""
        key, token = read_credentials(params, authorization)
        found = API.match(method, path)
        route_name = f"{method} {found[0].template}" if found else f"{method} (unknown)"
        who = self._token_label(token)
        stats = self.stats_data
        stats.requests_by_token[who] += 1
        stats.requests_by_route[route_name] += 1
        tok = self.world.tokens.get(token)
        member = tok.id_member if tok else token or key
        members_route = path.startswith("/members/")
        verdict = self.limiter.check(token, key, member, members_route, time.monotonic())
        headers = verdict.headers
        error = verdict.error
        if error is None and self.faults.burst_429 > 0:
            self.faults.burst_429 -= 1
            self.faults.fired["burst_429"] += 1
            error, verdict.retry_after = "API_TOKEN_LIMIT_EXCEEDED", 1
        if error is not None:
            stats.limited_by_token[who] += 1
            stats.limited_by_route[route_name] += 1
            body = {"error": error, "message": "Rate limit exceeded"}
            return _json_response(429, body, {**headers, "retry-after": str(verdict.retry_after)})
        if self.faults.roll(self.faults.error_rate, "error"):
            status = self.faults.error_status
            phrase = PHRASES.get(status, "Server Error")
            return Response(phrase, status, headers, media_type="text/plain")
        if early_error is not None:
            return error_response(early_error, headers)
        try:
            body = await self.call(method, path, params, key, token)
        except ApiError as err:
            return error_response(err, headers)
        return _json_response(200, body, headers)

    async def call(
        self, method: str, path: str, params: dict[str, Any], key: str, token: str
    ) -> Any:
        """Route, authenticate and run one request; raises :class:`ApiError`."""
        found = API.match(method, path)
        if found is None:
            raise ApiError(404, f"Cannot {method} /1{path}")
        route, path_params = found
        member = authenticate(self.world, method, key, token)
        check_grant(self.world, method, path, token)  # expiry and scope (sandbox/oauth.py)
        ctx = Ctx(self, route, path_params, params, member, token)
        try:
            result = await route.handler(ctx)
        finally:
            self.deliverer.schedule()
        return result

    def _token_label(self, token: str) -> str:
        tok = self.world.tokens.get(token)
        if tok is None:
            return "(none)" if not token else "(unknown)"
        member = self.world.members.get(tok.id_member)
        return member.username if member else "(unknown)"


async def _body_params(request: Request) -> dict[str, Any]:
    """The body's parameters; ``request`` is a :func:`replay` of the capped body."""
    if request.method == "GET":
        return {}
    raw = await request.body()
    if not raw:
        return {}
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "invalid json") from None
        if not isinstance(data, dict):
            raise ApiError(400, "invalid json")
        # JSON null means "clear" (e.g. {"due": null}); parameters read "" the same way
        return {str(k): "" if v is None else v for k, v in data.items()}
    if ctype in ("application/x-www-form-urlencoded", ""):
        try:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise ApiError(400, "invalid body") from None
    # multipart and other bodies: Trello reads multipart too; we accept it through Starlette
    try:
        form = await request.form()
    except Exception:  # a malformed multipart body must be a 400, never a 500
        raise ApiError(400, "invalid body") from None
    return {k: v for k, v in form.items() if isinstance(v, str)}
