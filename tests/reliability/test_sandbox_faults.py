"""The sandbox's reliability faults: a change made and then its answer dropped, random latency."""

from __future__ import annotations

import random

import httpx
import pytest

from trello_tui.sandbox import Faults, Sandbox


async def test_drop_after_makes_the_change_then_drops_the_answer(
    sandbox: Sandbox, sandbox_client: httpx.AsyncClient
) -> None:
    creds = sandbox.credentials
    card = next(c for c in sandbox.world.cards.values() if not c.closed)
    sandbox.faults.update({"drop_after_rate": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        await sandbox_client.put(
            f"/cards/{card.id}", params={"key": creds.key, "token": creds.token, "name": "Done"}
        )
    assert sandbox.world.cards[card.id].name == "Done"  # applied, though nobody heard so
    assert sandbox.faults.fired["drop_after"] == 1
    sandbox.faults.update({"drop_after_rate": 0.0})
    r = await sandbox_client.get(
        f"/cards/{card.id}", params={"key": creds.key, "token": creds.token}
    )
    assert r.json()["name"] == "Done"


def test_latency_jitter_stays_in_range_and_is_counted() -> None:
    faults = Faults(rng=random.Random(3))
    assert faults.delay() == 0.0 and not faults.fired
    faults.update({"latency_s": 0.1, "latency_jitter_s": 2.0})
    delays = [faults.delay() for _ in range(200)]
    assert all(0.1 <= d <= 2.1 for d in delays)
    assert max(delays) > 1.5 and min(delays) < 0.5  # spread over the range
    assert faults.fired["latency"] == 200
    assert "fired" not in faults.as_dict() and faults.as_dict()["drop_after_rate"] == 0.0
    with pytest.raises(ValueError):
        faults.update({"drop_after_rate": 1.5})
