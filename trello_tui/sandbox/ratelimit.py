"""Trello's rate limits: sliding windows per token, per key and on ``/1/members/*``.

Only requests that are let through use up a window (a refused request does not extend the
wait). More than ``key_429_block`` refusals for one key within a window refuse the rest of that
key's window, as Trello documents. Every answer carries the ``x-rate-limit-*`` headers; a 429
carries Trello's JSON body and a ``Retry-After`` in whole seconds (Trello's 429 headers are not
recorded; sending Retry-After is our choice, which clients may honour).

The ``x-rate-limit-member-*`` headers report the ``/1/members/*`` window of the caller's member
(100 per 900 s by default). Real Trello answers carry member headers with other numbers (10 s,
200 or 375 in the fixtures) whose meaning is undocumented; ours are at least consistent with the
limit the sandbox enforces.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

TOKEN_EXCEEDED = "API_TOKEN_LIMIT_EXCEEDED"
KEY_EXCEEDED = "API_KEY_LIMIT_EXCEEDED"
MEMBER_EXCEEDED = "RATE_LIMIT_EXCEEDED"  # seen in the wild for /1/members (research §2)


EXPOSE = ", ".join(
    f"x-rate-limit-api-{scope}-{what}"
    for scope in ("key", "token")
    for what in ("interval-ms", "max", "remaining")
)


@dataclass(frozen=True, slots=True)
class Limits:
    token_limit: int
    key_limit: int
    member_limit: int
    window_s: float
    member_window_s: float
    key_429_block: int


@dataclass(slots=True)
class Verdict:
    error: str | None
    headers: dict[str, str]
    retry_after: int = 0


def _prune(q: deque[float], now: float, window: float) -> None:
    edge = now - window
    while q and q[0] <= edge:
        q.popleft()


class RateLimiter:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._tokens: dict[str, deque[float]] = {}
        self._keys: dict[str, deque[float]] = {}
        self._members: dict[str, deque[float]] = {}
        self._key_429s: dict[str, deque[float]] = {}

    def check(self, token: str, key: str, member: str, members_route: bool, now: float) -> Verdict:
        """Admit or refuse one request; ``members_route`` for ``/1/members/*`` paths.

        The members window is kept per member (across their tokens); every answer reports it.
        """
        lim = self.limits
        tq = self._tokens.setdefault(token, deque()) if token else deque()
        kq = self._keys.setdefault(key, deque())
        mq_all = self._members.setdefault(member, deque())
        mq = mq_all if members_route else None
        refused = self._key_429s.setdefault(key, deque())
        _prune(tq, now, lim.window_s)
        _prune(kq, now, lim.window_s)
        _prune(refused, now, lim.window_s)
        _prune(mq_all, now, lim.member_window_s)
        error: str | None = None
        wait_from: deque[float] = tq
        window = lim.window_s
        if len(refused) > lim.key_429_block or len(kq) >= lim.key_limit:
            error, wait_from = KEY_EXCEEDED, (refused if len(refused) > lim.key_429_block else kq)
        elif token and len(tq) >= lim.token_limit:
            error = TOKEN_EXCEEDED
        elif mq is not None and len(mq) >= lim.member_limit:
            error, wait_from, window = MEMBER_EXCEEDED, mq, lim.member_window_s
        retry = 0
        if error is None:
            if token:
                tq.append(now)
            kq.append(now)
            if mq is not None:
                mq.append(now)
        else:
            refused.append(now)
            oldest = wait_from[0] if wait_from else now
            retry = max(1, math.ceil(oldest + window - now))
        return Verdict(error, self.headers(tq, kq, mq_all), retry)

    def headers(
        self, tq: deque[float], kq: deque[float], mq: deque[float] | None
    ) -> dict[str, str]:
        lim = self.limits
        ms = str(int(lim.window_s * 1000))
        member_used = len(mq) if mq is not None else 0
        return {
            "access-control-expose-headers": EXPOSE,
            "x-rate-limit-api-key-interval-ms": ms,
            "x-rate-limit-api-key-max": str(lim.key_limit),
            "x-rate-limit-api-key-remaining": str(max(0, lim.key_limit - len(kq))),
            "x-rate-limit-api-token-interval-ms": ms,
            "x-rate-limit-api-token-max": str(lim.token_limit),
            "x-rate-limit-api-token-remaining": str(max(0, lim.token_limit - len(tq))),
            "x-rate-limit-member-interval-ms": str(int(lim.member_window_s * 1000)),
            "x-rate-limit-member-max": str(lim.member_limit),
            "x-rate-limit-member-remaining": str(max(0, lim.member_limit - member_used)),
        }

    def reset(self) -> None:
        self._tokens.clear()
        self._keys.clear()
        self._members.clear()
        self._key_429s.clear()
