"""The admin API under ``/_sandbox/`` (only when ``config.admin`` / ``--admin``).

``GET /_sandbox/stats`` — requests and 429s per token (by username) and per route;
``GET|POST /_sandbox/faults`` — read or change faults (JSON body, e.g. ``{"latency_s": 0.2}``);
``POST /_sandbox/reset`` — a fresh world (optional ``{"seed": "..."}``), same credentials.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from trello_tui.sandbox.core import Sandbox


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
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
        from trello_tui.sandbox.seeds import SeedError

        try:
            seed = (await _json(request)).get("seed")
            sb.reset(str(seed) if seed else None)
        except (ValueError, SeedError) as err:
            return PlainTextResponse(f"invalid reset: {err}", 400)
        return JSONResponse({"seed": sb.seed})

    return [
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/_sandbox/faults", faults, methods=["GET", "POST"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
    ]
