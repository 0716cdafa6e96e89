"""The admin API (faults, stats, reset) and the simulated teammate."""

from __future__ import annotations

import random

import httpx
import pytest

from trello_tui.sandbox import Sandbox, SandboxConfig
from trello_tui.sandbox.teammate import teammate_step


def client(sb: Sandbox) -> httpx.AsyncClient:
    """In-process, sending the admin token (the admin API refuses requests without it)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sb.app),
        base_url="http://sandbox.invalid",
        headers={"Authorization": f"Bearer {sb.admin_token}"},
    )


async def test_admin_is_off_unless_enabled() -> None:
    sb = Sandbox.create("empty")
    async with client(sb) as c:
        assert (await c.get("/_sandbox/stats")).status_code == 404


async def test_faults_stats_and_reset() -> None:
    sb = Sandbox.create("demo", SandboxConfig(admin=True))
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    async with client(sb) as c:
        r = await c.post("/_sandbox/faults", json={"burst_429": 2})
        assert r.status_code == 200 and r.json()["burst_429"] == 2
        codes = [(await c.get("/1/members/me", params=auth)).status_code for _ in range(3)]
        assert codes == [429, 429, 200]
        await c.post("/_sandbox/faults", json={"error_rate": 1.0})
        assert (await c.get("/1/members/me", params=auth)).status_code == 503
        await c.post("/_sandbox/faults", json={"error_rate": 0, "drop_rate": 1.0})
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get("/1/members/me", params=auth)
        await c.post("/_sandbox/faults", json={"drop_rate": 0})
        bad = await c.post("/_sandbox/faults", json={"error_rate": 7})
        assert bad.status_code == 400
        stats = (await c.get("/_sandbox/stats")).json()
        assert stats["tokens"]["alex"]["429"] == 2
        assert stats["routes"]["GET /members/{id}"]["requests"] >= 4
        for secret in (sb.credentials.token, sb.credentials.key):
            assert secret not in str(stats)
        board = next(iter(sb.world.boards))
        await c.put(f"/1/boards/{board}", params={**auth, "name": "Changed"})
        r = await c.post("/_sandbox/reset", json={"seed": "demo"})
        assert r.json() == {"seed": "demo"}
        me = await c.get("/1/members/me", params=auth)
        assert me.status_code == 200  # same credentials after a reset
        assert all(b.name != "Changed" for b in sb.world.boards.values())


async def test_teammate_changes_arrive_as_actions_by_the_teammate() -> None:
    sb = Sandbox.create("demo")
    rng = random.Random(1)
    transport = httpx.ASGITransport(app=sb.app)
    async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as c:
        done = [await teammate_step(sb, c, rng) for _ in range(8)]
    assert set(done) & {"move", "rename", "comment", "tick"}
    kinds = {
        "move": "updateCard",
        "rename": "updateCard",
        "comment": "commentCard",
        "tick": "updateCheckItemStateOnCard",
    }
    recent = sorted(sb.world.actions.values(), key=lambda a: a.seq)[-3:]
    assert all(sb.world.members[a.id_member_creator].username == "sam" for a in recent)
    assert {kinds[d] for d in done if d in kinds} <= {a.type for a in sb.world.actions.values()}


def test_dropped_connection_over_loopback() -> None:
    sb = Sandbox.create("empty")
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    with sb.serve_in_thread() as url:
        sb.faults.update({"drop_rate": 1.0})
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{url}/members/me", params=auth)
        sb.faults.update({"drop_rate": 0.0, "latency_s": 0.05})
        r = httpx.get(f"{url}/members/me", params=auth)
        assert r.status_code == 200 and r.elapsed.total_seconds() >= 0.05
