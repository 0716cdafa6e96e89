"""The admin API under ``/_sandbox/`` (only when ``config.admin`` / ``--admin``).

``GET /_sandbox/stats`` — requests and 429s per token (by username) and per route;
``GET|POST /_sandbox/faults`` — read or change faults (JSON body, e.g. ``{"latency_s": 0.2}``);
``POST /_sandbox/reset`` — a fresh world (optional ``{"seed": "..."}``), same credentials.

Every request needs ``Authorization: Bearer <admin token>`` (``Sandbox.admin_token``, printed
as ``TRELLO_SANDBOX_ADMIN_TOKEN=…`` with the credentials), else 401; every POST needs
``Content-Type: application/json``, else 415. Both are checked before the body is read. A web
page can send neither a custom header nor a JSON type without a CORS preflight, which the
sandbox never grants, so a page the user visits cannot reset the world or change its faults.
Bodies are capped at 64 KiB (sandbox/bodies.py); a reset's seed is a name or a file in the
seeds folder (seeds.allowed_seed).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from trello_tui.sandbox.bodies import CLOSE, MAX_ADMIN_BODY, has_body, read_capped
from trello_tui.sandbox.errors import ApiError

if TYPE_CHECKING:
    from trello_tui.sandbox.core import Sandbox

Endpoint = Callable[[Request], Awaitable[Response]]
TOKEN_ENV = "TRELLO_SANDBOX_ADMIN_TOKEN"


def _refusal(sb: Sandbox, request: Request) -> Response | None:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    token = given.strip().encode("utf-8", "replace")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token, sb.admin_token.encode()):
        return PlainTextResponse(
            f"admin token required: Authorization: Bearer ${TOKEN_ENV}",
            401,
            {"www-authenticate": 'Bearer realm="trello-tui sandbox"'},
        )
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return PlainTextResponse("admin requests take Content-Type: application/json", 415)
    return None


def _guarded(sb: Sandbox, endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        refused = _refusal(sb, request)
        if refused is not None:
            if has_body(request):
                refused.headers.update(CLOSE)  # the body is never read: stop the upload
            return refused
        try:
            return await endpoint(request)
        except ApiError as err:  # 413: over the cap
            return PlainTextResponse(err.body, err.status, err.headers)
        except ClientDisconnect:  # gone mid-body: nobody reads an answer
            return Response(b"", 400)

    return guarded


async def _json(request: Request) -> dict[str, Any]:
    raw = await read_capped(request, MAX_ADMIN_BODY)
    if not raw:
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("a JSON object is required")
    return data


def admin_routes(sb: Sandbox) -> list[Route]:
    async def stats(request: Request) -> Response:
        return JSONResponse(sb.stats)

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                sb.faults.update(await _json(request))
            except (ValueError, TypeError) as err:
                return PlainTextResponse(f"invalid faults: {err}", 400)
        return JSONResponse(sb.faults.as_dict())

    async def reset(request: Request) -> Response:
        from trello_tui.sandbox.seeds import SeedError, allowed_seed

        try:
            seed = (await _json(request)).get("seed")
            if seed is not None and not isinstance(seed, str):
                raise ValueError("seed must be a string")
            if seed:
                seed = allowed_seed(seed, sb.config.seeds_dir, sb.started_seed)
            sb.reset(seed or None)
        except (ValueError, SeedError) as err:
            return PlainTextResponse(f"invalid reset: {err}", 400)
        return JSONResponse({"seed": sb.seed})

    return [
        Route("/_sandbox/stats", _guarded(sb, stats), methods=["GET"]),
        Route("/_sandbox/faults", _guarded(sb, faults), methods=["GET", "POST"]),
        Route("/_sandbox/reset", _guarded(sb, reset), methods=["POST"]),
    ]
