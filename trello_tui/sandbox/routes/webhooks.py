"""Webhooks: ``/1/webhooks`` and ``/1/tokens/{token}/webhooks`` (create, read, update, delete).

Creation sends a HEAD to the callback and needs a 200; one callback+model+token only once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import ApiError, invalid_value, not_found
from trello_tui.sandbox.router import API
from trello_tui.sandbox.routes.tokens import _token, hook_of
from trello_tui.sandbox.serialize import webhook_json
from trello_tui.sandbox.world import Webhook


def _callback(ctx: Ctx) -> str:
    url = ctx.text("callbackURL", min_len=1, required=True) or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid_value("callbackURL")
    return url


def _model(ctx: Ctx) -> str:
    w = ctx.world
    mid = ctx.oid("idModel")
    assert mid is not None
    for store in (w.boards, w.cards, w.lists, w.checklists, w.labels):
        obj = store.get(mid)
        if obj is not None:
            bid = getattr(obj, "id_board", mid)
            if not w.can_read(ctx.me, w.boards[bid]):
                raise invalid_value("idModel")
            return mid
    if mid in w.members or mid in w.orgs:
        return mid
    raise invalid_value("idModel")


async def _create(ctx: Ctx, token: str) -> Any:
    w = ctx.world
    url = _callback(ctx)
    model = _model(ctx)
    description = ctx.text("description", "") or ""
    active = ctx.flag("active", True) if "active" in ctx.route.params else True
    for hook in w.webhooks.values():
        if hook.callback_url == url and hook.id_model == model and hook.token == token:
            raise ApiError(400, "A webhook with that callback, model, and token already exists")
    status = await ctx.sb.deliverer.check_callback(url)
    if status != 200:
        raise ApiError(400, f"URL ({url}) did not return 200 status code, got {status}")
    hook = Webhook(
        id=w.new_id(),
        token=token,
        id_model=model,
        callback_url=url,
        description=description,
        active=bool(active),
    )
    w.webhooks[hook.id] = hook
    w.touch()
    return webhook_json(hook)


@API.add("POST", "/webhooks", "description callbackURL idModel active")
async def create_webhook(ctx: Ctx) -> Any:
    return await _create(ctx, ctx.token)


@API.add("POST", "/tokens/{token}/webhooks", "description callbackURL idModel")
async def create_token_webhook(ctx: Ctx) -> Any:
    return await _create(ctx, _token(ctx).token)


def _own(ctx: Ctx) -> Webhook:
    hid = ctx.p("id")
    hook = ctx.world.webhooks.get(hid)
    if hook is None:
        if len(hid) != 24:
            raise ApiError(400, "invalid id")
        raise not_found()
    if hook.token != ctx.token:
        raise ApiError(401, "webhook does not belong to token")
    return hook


@API.add("GET", "/webhooks/{id}", "")
async def get_webhook(ctx: Ctx) -> Any:
    return webhook_json(_own(ctx))


async def _update(ctx: Ctx, hook: Webhook) -> Any:
    w = ctx.world
    changes: dict[str, Any] = {}
    if ctx.has("description"):
        changes["description"] = ctx.text("description")
    if ctx.has("idModel"):
        changes["id_model"] = _model(ctx)
    if "active" in ctx.route.params and ctx.has("active"):
        changes["active"] = ctx.flag("active")
    if ctx.has("callbackURL"):
        url = _callback(ctx)
        if url != hook.callback_url:
            status = await ctx.sb.deliverer.check_callback(url)
            if status != 200:
                raise ApiError(400, f"URL ({url}) did not return 200 status code, got {status}")
        changes["callback_url"] = url
    for k, v in changes.items():
        setattr(hook, k, v)
    if changes.get("active"):
        hook.consecutive_failures, hook.first_fail_date = 0, None
    w.touch()
    return webhook_json(hook)


@API.add("PUT", "/webhooks/{id}", "description callbackURL idModel active")
async def update_webhook(ctx: Ctx) -> Any:
    return await _update(ctx, _own(ctx))


@API.add("DELETE", "/webhooks/{id}", "")
async def delete_webhook(ctx: Ctx) -> Any:
    hook = _own(ctx)
    del ctx.world.webhooks[hook.id]
    ctx.world.touch()
    return {"_value": None}


@API.add("GET", "/tokens/{token}/webhooks", "")
async def token_webhooks(ctx: Ctx) -> Any:
    tok = _token(ctx)
    return [webhook_json(h) for h in ctx.world.webhooks.values() if h.token == tok.token]


@API.add("GET", "/tokens/{token}/webhooks/{idWebhook}", "")
async def token_webhook(ctx: Ctx) -> Any:
    return webhook_json(hook_of(ctx, _token(ctx)))


@API.add("PUT", "/tokens/{token}/webhooks/{idWebhook}", "description callbackURL idModel")
async def token_update_webhook(ctx: Ctx) -> Any:
    return await _update(ctx, hook_of(ctx, _token(ctx)))


@API.add("DELETE", "/tokens/{token}/webhooks/{idWebhook}", "")
async def token_delete_webhook(ctx: Ctx) -> Any:
    hook = hook_of(ctx, _token(ctx))
    del ctx.world.webhooks[hook.id]
    ctx.world.touch()
    return {"_value": None}
