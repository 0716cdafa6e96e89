"""RateLimiter: sliding windows with a margin, header corrections, 429 pauses, pacing."""

from __future__ import annotations

import asyncio
import random

import pytest

from trello_tui.trello.limiter import KEY, MEMBER, TOKEN, RateLimiter, route_windows


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(clock: Clock, **kwargs: float) -> RateLimiter:
    return RateLimiter(clock=clock, rng=random.Random(1), **kwargs)  # type: ignore[arg-type]


def test_routes_and_windows() -> None:
    assert route_windows("/members/me/boards") == (TOKEN, KEY, MEMBER)
    assert route_windows("/1/members/me") == (TOKEN, KEY, MEMBER)
    assert route_windows("/boards/abc") == (TOKEN, KEY)


def test_token_window_keeps_a_safety_margin() -> None:
    clock = Clock()
    limiter = make(clock, margin=0.03, pad_s=0.25)
    assert limiter.windows[TOKEN].capacity == 97
    for _ in range(97):
        assert limiter.delay("/cards/x") == 0
        limiter.record("/cards/x")
    # Full: the first send leaves the window after 10 s plus the arrival pad.
    assert limiter.delay("/cards/x") == pytest.approx(10.25)
    clock.now += 10.25
    assert limiter.delay("/cards/x") == 0


def test_member_window_only_for_member_routes() -> None:
    clock = Clock()
    limiter = make(clock, member_limit=10, member_window_s=900.0)
    for _ in range(9):
        limiter.record("/members/me")
    assert limiter.delay("/members/me") > 800
    assert limiter.delay("/boards/abc") == 0


def test_headers_correct_limits_and_count_other_clients() -> None:
    clock = Clock()
    limiter = make(clock, margin=0.03, pad_s=0.25)
    limiter.record("/cards/x")
    limiter.observe(
        "/cards/x",
        200,
        {
            "x-rate-limit-api-token-max": "50",
            "x-rate-limit-api-token-interval-ms": "5000",
            "x-rate-limit-api-token-remaining": "10",
        },
    )
    window = limiter.windows[TOKEN]
    assert window.maximum == 50 and window.interval == 5.0
    assert window.used(clock.now, limiter.pad_s) == 40  # 1 ours + 39 someone else's
    assert limiter.delay("/cards/x") == 0  # capacity 48: still room
    # Our own sends in flight are never double counted: a stale header adds nothing.
    limiter.observe("/cards/x", 200, {"x-rate-limit-api-token-remaining": "49"})
    assert window.used(clock.now, limiter.pad_s) == 40
    limiter.observe("/cards/x", 200, {"x-rate-limit-api-token-remaining": "1"})
    assert limiter.delay("/cards/x") == pytest.approx(5.25)


def test_429_pauses_everything_and_never_shortens() -> None:
    clock = Clock()
    limiter = make(clock, jitter_s=0.5)
    limiter.observe("/cards/x", 429, {}, retry_after=3.0, scope="token")
    first = limiter.delay("/boards/b")
    assert 3.0 <= first <= 3.5
    limiter.observe("/cards/x", 429, {}, retry_after=1.0, scope="token")
    assert limiter.delay("/boards/b") >= first - 1e-9
    assert limiter.rate_limited == 2
    # Without Retry-After, the rest of the refusing window (filled by the 429) is waited out.
    other = make(Clock())
    other.observe("/cards/x", 429, {}, scope="token")
    assert other.delay("/cards/x") >= 10.0


def test_reserve_and_pacing_hold_back_background_work() -> None:
    clock = Clock()
    limiter = make(clock, token_limit=100)
    for _ in range(88):
        limiter.record("/cards/x")
    assert limiter.delay("/cards/x") == 0
    assert limiter.delay("/cards/x", reserve=0.10) > 0  # 88 >= 97 - 10
    fresh = make(Clock(), margin=0.03)
    for _ in range(5):
        fresh.record("/cards/x")
    # The pacing bucket (5 % of 97 → 4.85 sends) is spent: paced work waits ~0.1 s a send.
    wait = fresh.delay("/cards/x", paced=True)
    assert 0.05 < wait < 0.3
    assert fresh.delay("/cards/x") == 0


async def test_acquire_waits_without_blocking_the_loop() -> None:
    limiter = RateLimiter(token_limit=2, window_s=0.2, margin=0.0, pad_s=0.0)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(4):
        await limiter.acquire("/cards/x")
    elapsed = loop.time() - start
    task.cancel()
    assert 0.18 <= elapsed < 1.0
    assert ticks >= 10


def test_batch_costs_one_until_trello_counts_each_url() -> None:
    clock = Clock()
    limiter = make(clock)
    token = limiter.windows[TOKEN]
    limiter.record("/batch", urls=10)
    assert token.used(clock.now, limiter.pad_s) == 1 and not limiter.batch_counts_each_url
    # The answer shows Trello counted ten: from now on a batch is booked per URL.
    limiter.observe("/batch", 200, {"x-rate-limit-api-token-remaining": "90"})
    assert limiter.batch_counts_each_url
    assert token.used(clock.now, limiter.pad_s) == 10
    limiter.record("/batch", urls=10)
    assert token.used(clock.now, limiter.pad_s) == 20
