"""Sandbox helpers: a teammate's client, real actions, a board state."""

from __future__ import annotations

import httpx

from trello_tui.sandbox import Sandbox
from trello_tui.sync.state import BoardState
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.models import Action

DEMO_BOARD = "Website Relaunch"


def board_id(sb: Sandbox, name: str = DEMO_BOARD) -> str:
    return next(b.id for b in sb.world.boards.values() if b.name == name)


def list_id(sb: Sandbox, board: str, name: str) -> str:
    return next(x.id for x in sb.world.lists.values() if x.id_board == board and x.name == name)


def client_for(sb: Sandbox, username: str | None = None, url: str | None = None) -> TrelloClient:
    """A client as ``username`` (default: the signed-in user), in-process unless ``url``."""
    creds = sb.credentials
    token = creds.tokens[username] if username else creds.token
    transport = None if url else httpx.ASGITransport(app=sb.app)
    return TrelloClient(
        Credentials(key=creds.key, token=token),
        base_url=url or sb.base_url,
        transport=transport,
        timeout=5.0,
    )


async def state_of(client: TrelloClient, board: str) -> BoardState:
    return BoardState(await client.load_board(board))


async def actions_since(client: TrelloClient, board: str, since: str | None) -> list[Action]:
    actions = await client.board_actions(board, since=since, limit=1000)
    return sorted(actions, key=lambda a: a.id)


async def newest_action(client: TrelloClient, board: str) -> str | None:
    actions = await client.board_actions(board, limit=1)
    return actions[0].id if actions else None
