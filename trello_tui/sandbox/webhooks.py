"""Webhook delivery: HEAD check on creation, signed POSTs, retries with backoff, 410 deletes.

Each action is offered to every active webhook whose ``idModel`` the action concerns (its
board, card, list, checklist, label or member creator). The POST body is
``{"action", "model", "webhook"}``; ``X-Trello-Webhook`` is
base64(HMAC-SHA1(app secret, raw body + callbackURL)). A failed delivery (no answer, timeout,
or a status other than 2xx/410) counts in ``consecutiveFailures`` / ``firstConsecutiveFailDate``
and is retried after each of ``config.webhook_retry_delays``; a success resets the count; a
410 deletes the webhook; ``webhook_max_failures`` failures in a row, or failing for
``webhook_disable_after_s``, deactivate it. Deliveries to one webhook happen in order.
Requests go through an ``httpx.AsyncClient`` whose transport the config may inject.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
import ssl
import time
from typing import TYPE_CHECKING, Any

import httpx

from trello_tui.sandbox.serialize import (
    BOARD_DEFAULT,
    board_json,
    card_json,
    checklist_json,
    label_json,
    list_json,
    member_json,
    pick,
    webhook_json,
)
from trello_tui.sandbox.serialize_actions import action_json
from trello_tui.sandbox.world import Action, World, iso, parse_iso

if TYPE_CHECKING:
    from trello_tui.sandbox.core import Sandbox


def sign(secret: str, body: bytes, callback_url: str) -> str:
    mac = hmac.new(secret.encode(), body + callback_url.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def model_json(w: World, model_id: str) -> dict[str, Any] | None:
    if model_id in w.boards:
        return pick(board_json(w, w.boards[model_id], ""), BOARD_DEFAULT)
    if model_id in w.cards:
        return card_json(w, w.cards[model_id])
    if model_id in w.lists:
        return list_json(w.lists[model_id])
    if model_id in w.checklists:
        return checklist_json(w.checklists[model_id])
    if model_id in w.labels:
        return label_json(w.labels[model_id])
    if model_id in w.members:
        return member_json(w.members[model_id])
    return None


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every delivery client: building one costs ~30 ms each time."""
    return ssl.create_default_context()


class Deliverer:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}

    def _client(self) -> httpx.AsyncClient:
        cfg = self.sb.config
        return httpx.AsyncClient(
            transport=cfg.webhook_transport, timeout=cfg.webhook_timeout_s, verify=_tls()
        )

    async def check_callback(self, url: str) -> int:
        """Status of the creation HEAD request (0 when the URL could not be reached)."""
        try:
            async with self._client() as client:
                return (await client.head(url)).status_code
        except (httpx.HTTPError, ValueError):
            return 0

    def schedule(self) -> None:
        """Turn the world's new actions into delivery tasks (needs a running loop)."""
        w = self.sb.world
        if not w.outbox:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        actions, w.outbox = w.outbox, []
        if not w.webhooks:
            return
        for act in actions:
            for hook in list(w.webhooks.values()):
                if hook.active and hook.id_model in act.models:
                    body = self._body(w, act, hook.id)
                    if body is not None:
                        task = loop.create_task(self._deliver(hook.id, body))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)

    def _body(self, w: World, act: Action, hook_id: str) -> bytes | None:
        hook = w.webhooks[hook_id]
        model = model_json(w, hook.id_model)
        if model is None:
            return None
        payload = {
            "action": action_json(w, act, display=True),
            "model": model,
            "webhook": webhook_json(hook),
        }
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    async def _deliver(self, hook_id: str, body: bytes) -> None:
        lock = self._locks.setdefault(hook_id, asyncio.Lock())
        cfg = self.sb.config
        async with lock:
            for attempt in range(len(cfg.webhook_retry_delays) + 1):
                hook = self.sb.world.webhooks.get(hook_id)
                if hook is None or not hook.active:
                    return
                status = await self._post(hook.callback_url, body)
                if 200 <= status < 300:
                    hook.consecutive_failures = 0
                    hook.first_fail_date = None
                    return
                if status == 410:
                    self.sb.world.webhooks.pop(hook_id, None)
                    self.sb.world.touch()
                    return
                self._failed(hook_id)
                if attempt < len(cfg.webhook_retry_delays):
                    await asyncio.sleep(cfg.webhook_retry_delays[attempt])

    def _failed(self, hook_id: str) -> None:
        hook = self.sb.world.webhooks[hook_id]
        cfg = self.sb.config
        hook.consecutive_failures += 1
        if hook.first_fail_date is None:
            hook.first_fail_date = iso()
        failing_for = time.time() - parse_iso(hook.first_fail_date)
        if (
            hook.consecutive_failures >= cfg.webhook_max_failures
            or failing_for >= cfg.webhook_disable_after_s
        ):
            hook.active = False
        self.sb.world.touch()

    async def _post(self, url: str, body: bytes) -> int:
        headers = {
            "content-type": "application/json",
            "user-agent": "trello-tui-sandbox (Trello webhook emulation)",
            "x-trello-webhook": sign(self.sb.world.secret, body, url),
        }
        try:
            async with self._client() as client:
                return (await client.post(url, content=body, headers=headers)).status_code
        except (httpx.HTTPError, ValueError):
            return 0

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
