"""Our webhooks at Trello: one per watched board, pointing at the current public URL.

Ours are found in ``GET /1/tokens/{token}/webhooks`` by their description and reused: a
changed public URL is a ``PUT`` of ``callbackURL``, an inactive one is re-activated, extra
copies are deleted (each would deliver every action again). A creation Trello refuses — its
``HEAD`` check on the callback URL did not get a 200 — is explained in words a user can act on.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket

from trello_tui.live.webhooks import WebhookReceiver
from trello_tui.trello import calls
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import AuthError, InvalidRequest, NotFound, TrelloError
from trello_tui.trello.models import Webhook

log = logging.getLogger("trello_tui.webhooks")

# Ours are recognised by description; the host name keeps two machines sharing one token from
# moving each other's webhook back and forth.
DESCRIPTION = f"trello-tui live updates ({socket.gethostname()})"
_HEAD_CHECK = re.compile(r"did not return 200 status code, got (\d+)")


class WebhookSetupError(Exception):
    """A webhook could not be created or moved; the message tells the user what to do."""


def explain_failure(error: TrelloError, callback_url: str, local_url: str) -> str:
    """Trello's terse refusal, in words a user can act on."""
    match = _HEAD_CHECK.search(error.message)
    if match is None:
        if isinstance(error, AuthError):
            return (
                "Trello refused to create a webhook with your token (no access to this board,"
                " or the token lacks read scope). Run `trello-tui auth` to sign in again."
            )
        if error.transient:
            return f"Trello is not answering ({error.message or error.status}); will retry."
        return f"Trello refused the webhook: {error.message or error.status}."
    status = int(match.group(1))
    head = f"Trello checked {callback_url} and got HTTP {status}, so it made no webhook. "
    if status == 0:
        return head + "The address is not reachable from the internet: is the tunnel running?"
    if status == 404:
        return (
            head + f"The tunnel answers but does not forward to the app; point it at {local_url}."
        )
    if status in (502, 503, 504, 530):
        return head + (
            f"The tunnel is up but cannot reach the app at {local_url}: check the port it"
            " forwards to (new quick tunnels may also need a few seconds)."
        )
    return head + f"Make the tunnel forward HEAD requests to {local_url} unchanged."


class WebhookRegistrar:
    """One webhook per watched board, ours (by description), pointing at the current URL.

    Reuses what ``GET /1/tokens/{token}/webhooks`` lists, moves ``callbackURL`` with ``PUT``
    when the public URL changed, re-activates an inactive one, removes duplicates of ours.
    """

    def __init__(
        self, client: TrelloClient, receiver: WebhookReceiver, description: str = DESCRIPTION
    ) -> None:
        self.client = client
        self.receiver = receiver
        self.description = description
        self.hooks: dict[str, Webhook] = {}

    def callback_for(self, board_id: str, public_url: str) -> str:
        return public_url.rstrip("/") + self.receiver.path_for(board_id)

    async def ensure(self, board_id: str, public_url: str) -> Webhook:
        """Make our webhook for ``board_id`` exist, be active and point at ``public_url``."""
        callback = self.callback_for(board_id, public_url)
        # Before asking Trello: a delivery may arrive the moment the webhook exists.
        self.receiver.expect(self.receiver.path_for(board_id), callback)
        try:
            hook = await self._ensure(board_id, callback)
        except TrelloError as exc:
            raise WebhookSetupError(
                explain_failure(exc, callback, self.receiver.local_url)
            ) from None
        self.hooks[board_id] = hook
        return hook

    async def _ensure(self, board_id: str, callback: str) -> Webhook:
        mine = [
            hook
            for hook in await self.client.webhooks()
            if hook.id_model == board_id and hook.description == self.description
        ]
        # Keep the one already pointing here (else the first); extras would deliver twice.
        mine.sort(key=lambda hook: hook.callback_url != callback)
        for extra in mine[1:]:
            with contextlib.suppress(NotFound):
                await self.client.delete_webhook(extra.id)
        if mine:
            hook = mine[0]
            if hook.callback_url == callback and hook.active:
                return hook
            try:
                return await self.client.update_webhook(hook.id, callback_url=callback, active=True)
            except NotFound:
                pass  # deleted meanwhile (a 410, a revoked token): create a new one
        try:
            return await self.client.create_webhook(callback, board_id, self.description)
        except InvalidRequest as exc:
            if "already exists" not in exc.message:
                raise
        # Created by a retry of ours that we did not see answered: list it.
        for hook in await self.client.webhooks():
            if hook.id_model == board_id and hook.callback_url == callback:
                return hook
        raise WebhookSetupError("Trello says the webhook exists but does not list it")

    async def status(self, board_id: str) -> Webhook | None:
        """Trello's current view of our webhook (``None`` once it is gone)."""
        hook = self.hooks.get(board_id)
        if hook is None:
            return None
        try:
            fresh = await self.client.send(calls.webhook(hook.id))
        except NotFound:
            self.hooks.pop(board_id, None)
            return None
        self.hooks[board_id] = fresh
        return fresh

    async def remove(self, board_id: str) -> None:
        """Delete our webhook for this board (nothing to do if there is none)."""
        hook = self.hooks.pop(board_id, None)
        self.receiver.forget(self.receiver.path_for(board_id))
        if hook is not None:
            with contextlib.suppress(NotFound):
                await self.client.delete_webhook(hook.id)

    async def remove_all(self) -> None:
        for board_id in list(self.hooks):
            try:
                await self.remove(board_id)
            except TrelloError as exc:
                log.warning("could not delete the webhook for board %s: %s", board_id, exc)
