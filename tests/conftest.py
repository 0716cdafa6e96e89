"""Shared fixtures: a fresh demo sandbox, an in-process client on it, and a loopback server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from trello_tui.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Sandbox:
    """A fresh ``demo`` sandbox (in memory, nothing served)."""
    return Sandbox.create(seed="demo")


@pytest.fixture
async def sandbox_client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client talking to ``sandbox`` in-process; base_url is ``sandbox.base_url``."""
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=sandbox.base_url) as client:
        yield client


@pytest.fixture
def live_sandbox() -> Iterator[tuple[Sandbox, str]]:
    """A demo sandbox served on loopback in a background thread: yields (sandbox, url)."""
    sb = Sandbox.create(seed="demo")
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        yield sb, url
