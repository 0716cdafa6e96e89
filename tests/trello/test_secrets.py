"""No key, token or secret in any log line, exception message or repr, even when all fails."""

from __future__ import annotations

import asyncio
import logging
import traceback

import httpx
import pytest

from tests.trello.sandbox_helpers import ChaosTransport, client_for, credentials
from trello_tui.sandbox import Sandbox, SandboxConfig
from trello_tui.trello import calls, writes
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import TrelloError
from trello_tui.trello.queue import Priority, RequestQueue


async def test_secrets_never_appear(caplog: pytest.LogCaptureFixture) -> None:
    sb = Sandbox.create(seed="demo", config=SandboxConfig(token_limit=20, window_s=1.0))
    creds = credentials(sb)
    assert creds.secret, "the sandbox has an app secret"
    secrets = [creds.key, creds.token, creds.secret]
    seen: list[str] = []

    def collect(obj: object) -> None:
        seen.append(str(obj))
        seen.append(repr(obj))
        if isinstance(obj, BaseException):
            seen.append("".join(traceback.format_exception(obj)))
        if isinstance(obj, TrelloError):
            seen.extend([obj.user_message, obj.message, obj.path])

    caplog.set_level(logging.DEBUG)
    sb.faults.update({"error_rate": 0.2, "drop_rate": 0.1})
    chaos = ChaosTransport(sb, post_drop_rate=0.1, burst_rate=0.05, burst_size=2, seed=5)
    client = client_for(sb, chaos, jitter_s=0.05)
    queue = RequestQueue(client, backoff_base_s=0.01, backoff_cap_s=0.1, max_attempts=3)
    collect(client)
    collect(client.credentials)
    jobs = [
        calls.token_info(),  # the token is in this route's path
        calls.webhooks(),
        calls.me(),
        calls.my_boards(),
        calls.card("5f0000000000000000000fff"),  # 404
        writes.update_card("5f0000000000000000000fff", name="nope"),
        writes.create_card("bad-list-id", "x"),  # 400
        writes.create_webhook("https://example.test/h", "5f0000000000000000000fff"),
    ] * 4
    for call in jobs:
        collect(call)
    results = await asyncio.gather(
        *(queue.submit(call, priority=Priority.INTERACTIVE) for call in jobs),
        return_exceptions=True,
    )
    for result in results:
        collect(result)
    collect(queue.stats)
    await queue.aclose()
    await client.aclose()

    # A wrong token and a wrong key: the server echoes nothing, and nor do we.
    for bad in (Credentials(creds.key, "0" * 64, creds.secret), Credentials("1" * 32, creds.token)):
        async with TrelloClient(
            bad, base_url=sb.base_url, transport=httpx.ASGITransport(app=sb.app)
        ) as other:
            collect(other)
            try:
                await other.token_info()
            except TrelloError as error:
                collect(error)
    # And a failure logged with its traceback by some other code.
    try:
        raise RuntimeError(f"boom with {creds.token} and {creds.key}")
    except RuntimeError:
        logging.getLogger("someone.else").exception("while calling Trello with %s", creds.secret)

    seen.append(caplog.text)
    seen.extend(record.getMessage() for record in caplog.records)
    seen.extend(str(record.exc_text or "") for record in caplog.records)
    # httpx logs every URL; the token route's URL had the token in it before redaction.
    assert any("/tokens/***" in record.getMessage() for record in caplog.records)
    assert sum(isinstance(r, TrelloError) for r in results) >= len(jobs) // 2, "a run of failures"
    assert any("GET" in line for line in seen), "logs were collected"
    blob = "\n".join(seen)
    for secret in secrets:
        assert secret and secret not in blob
    # The long-lived bad tokens too.
    assert "0" * 64 not in blob
