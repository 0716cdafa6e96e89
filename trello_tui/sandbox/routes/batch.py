"""``GET /1/batch?urls=/a,/b``: up to 10 GET routes in one request, answered in order.

Each success is ``{"200": body}``; each failure ``{"name", "message", "statusCode"}``. Batch
items share the outer request's credentials and rate-limit slot.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import ApiError
from trello_tui.sandbox.router import API


@API.add("GET", "/batch", "urls")
async def batch(ctx: Ctx) -> Any:
    raw = ctx.text("urls", min_len=1, required=True) or ""
    # split only where a new route starts, so "?fields=name,desc" inside one URL survives
    # (items may also arrive still percent-encoded, each starting with %2F)
    urls = [u for u in re.split(r",(?=/|%2[fF])", raw) if u]
    if not urls or len(urls) > 10:
        raise ApiError(400, "invalid value for urls")
    out: list[Any] = []
    for url in urls:
        parts = urlsplit(unquote(url) if url.upper().startswith("%2F") else url)
        path = parts.path.rstrip("/")
        if path.startswith("/1/"):
            path = path[2:]
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path.startswith("/batch"):
            out.append(_failure(400, "batch can not be called recursively"))
            continue
        params.pop("key", None)
        params.pop("token", None)
        try:
            body = await ctx.sb.call("GET", path, params, ctx.world.key, ctx.token)
        except ApiError as err:
            message = err.body or str(err.json_body)
            out.append(_failure(err.status, message))
            continue
        out.append({"200": body})
    return out


def _failure(status: int, message: str) -> dict[str, Any]:
    names = {400: "BadRequestError", 401: "UnauthorizedError", 404: "NotFoundError"}
    return {"name": names.get(status, "Error"), "message": message, "statusCode": status}
