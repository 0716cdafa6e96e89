"""Trello's rate limits: 100/window per token, 300 per key, /1/members/* separately."""

from __future__ import annotations

import asyncio
import time

import httpx

from trello_tui.sandbox import Sandbox, SandboxConfig

HEADERS = [
    f"x-rate-limit-{scope}-{what}"
    for scope in ("api-token", "api-key", "member")
    for what in ("interval-ms", "max", "remaining")
]


def client(sb: Sandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.app), base_url=sb.base_url)


async def test_150_requests_give_100_ok_then_50_429_then_recover() -> None:
    window = 3.0
    sb = Sandbox.create("demo", SandboxConfig(window_s=window))
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    board = next(iter(sb.world.boards))
    async with client(sb) as api:
        answers = [
            await api.get(f"/boards/{board}", params={**auth, "fields": "name"}) for _ in range(150)
        ]
        # The window slides: the 100 admitted requests have all left it one window after the
        # last of them (the refusals use none of it), however long the 150 took on this machine.
        done = time.monotonic()
        codes = [r.status_code for r in answers]
        assert codes.count(200) == 100 and codes.count(429) == 50
        assert codes[:100] == [200] * 100  # the window fills first, then every request is refused
        for r in answers:
            assert all(h in r.headers for h in HEADERS)
        assert answers[0].headers["x-rate-limit-api-token-remaining"] == "99"
        assert answers[0].headers["x-rate-limit-api-token-interval-ms"] == "3000"
        refused = answers[-1]
        assert refused.json() == {
            "error": "API_TOKEN_LIMIT_EXCEEDED",
            "message": "Rate limit exceeded",
        }
        assert refused.headers["content-type"].startswith("application/json")
        assert refused.headers["x-rate-limit-api-token-remaining"] == "0"
        assert 1 <= int(refused.headers["retry-after"]) <= 3
        assert sb.stats["tokens"]["alex"] == {"requests": 150, "429": 50}
        await asyncio.sleep(max(0.0, done + window + 0.1 - time.monotonic()))
        again = await api.get(f"/boards/{board}", params={**auth, "fields": "name"})
        assert again.status_code == 200
        assert again.headers["x-rate-limit-api-token-remaining"] == "99"


async def test_key_limit_spans_tokens() -> None:
    sb = Sandbox.create("demo", SandboxConfig(key_limit=5, token_limit=100))
    creds = sb.credentials
    async with client(sb) as api:
        codes = []
        for name in ("alex", "sam", "jordan"):
            for _ in range(2):
                r = await api.get(
                    "/boards/" + next(iter(sb.world.boards)),
                    params={"key": creds.key, "token": creds.tokens[name]},
                )
                codes.append(r.status_code)
        assert codes == [200] * 5 + [429]
        assert r.json()["error"] == "API_KEY_LIMIT_EXCEEDED"


async def test_members_route_has_its_own_window() -> None:
    sb = Sandbox.create("empty", SandboxConfig(member_limit=3, member_window_s=900))
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    async with client(sb) as api:
        codes = [(await api.get("/members/me", params=auth)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = await api.get("/members/me", params=auth)
        assert r.headers["x-rate-limit-member-remaining"] == "0"
        assert r.headers["x-rate-limit-member-interval-ms"] == "900000"
        # other routes are not held back by the members window
        assert (await api.get("/search", params={**auth, "query": "x"})).status_code == 200


async def test_too_many_429s_block_the_key_for_the_window() -> None:
    sb = Sandbox.create("empty", SandboxConfig(token_limit=1, key_429_block=3))
    creds = sb.credentials
    async with client(sb) as api:
        alex = {"key": creds.key, "token": creds.token}
        codes = [
            (await api.get("/search", params={**alex, "query": "x"})).status_code for _ in range(5)
        ]
        assert codes == [200, 429, 429, 429, 429]
        sam = {"key": creds.key, "token": creds.tokens["sam"]}
        r = await api.get("/search", params={**sam, "query": "x"})
        assert r.status_code == 429 and r.json()["error"] == "API_KEY_LIMIT_EXCEEDED"
