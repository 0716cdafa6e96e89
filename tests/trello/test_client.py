"""TrelloClient's funnel: header auth, body text, base URL, error mapping, batch, typed models."""

from __future__ import annotations

import httpx
import pytest

from tests.trello.fake_trello import LIST_A, FakeTrello
from trello_tui.trello import calls, writes
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import DEFAULT_BASE_URL, TrelloClient, resolve_base_url
from trello_tui.trello.errors import (
    AuthError,
    BadResponse,
    NotFound,
    RateLimited,
    Unavailable,
)
from trello_tui.trello.limiter import RateLimiter
from trello_tui.trello.models import Board, Card, Member

KEY = "0123456789abcdef0123456789abcdef"
TOKEN = "a1b2c3d4" * 8
CREDS = Credentials(KEY, TOKEN, "appsecret-appsecret")


def make(fake: FakeTrello, **kwargs: object) -> TrelloClient:
    return TrelloClient(
        CREDS, base_url="http://trello.test/1", transport=fake.transport(), **kwargs
    )  # type: ignore[arg-type]


def test_base_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRELLO_API_URL", raising=False)
    assert resolve_base_url() == DEFAULT_BASE_URL
    monkeypatch.setenv("TRELLO_API_URL", "http://127.0.0.1:9999/1/")
    assert resolve_base_url() == "http://127.0.0.1:9999/1"
    assert resolve_base_url("http://x/1") == "http://x/1"


async def test_credentials_in_header_and_long_text_in_body() -> None:
    fake = FakeTrello()
    long_name = "A card with a very long name " * 200
    async with make(fake) as client:
        card = await client.create_card(LIST_A, long_name, desc="d" * 5000)
        assert isinstance(card, Card) and card.name == long_name
        await client.move_card(card.id, 12345.5, id_list=LIST_A)
    for seen in fake.seen:
        assert KEY not in seen.url and TOKEN not in seen.url
        assert "long name" not in seen.url
        assert seen.headers["authorization"] == (
            f'OAuth oauth_consumer_key="{KEY}", oauth_token="{TOKEN}"'
        )
    post = fake.requests_to("POST", "/cards")[0]
    assert "long+name" in post.body or "long%20name" in post.body
    put = fake.requests_to("PUT", f"/cards/{card.id}")[0]
    assert "pos=12345.5" in put.body


async def test_typed_reads_return_models() -> None:
    fake = FakeTrello()
    async with make(fake) as client:
        await client.create_card(LIST_A, "one")
        board = await client.load_board("5f0000000000000000000b01")
        me = await client.me()
    assert isinstance(board, Board) and [c.name for c in board.cards] == ["one"]
    assert isinstance(me, Member) and me.username == "me"
    load = fake.requests_to("GET", "/boards/5f0000000000000000000b01")[0]
    for part in (
        "lists=open",
        "cards=open",
        "checklists=all",
        "labels=all",
        "labels_limit=1000",
        "members=all",
    ):
        assert part in load.url


async def test_errors_are_mapped() -> None:
    fake = FakeTrello()
    async with make(fake) as client:
        with pytest.raises(NotFound):
            await client.card("5f0000000000000000000fff")
        fake.faults.append("429")
        with pytest.raises(RateLimited) as limited:
            await client.me()
        assert limited.value.retry_after == 0.0
        fake.faults.append("connect")
        with pytest.raises(Unavailable) as refused:
            await client.me()
        assert not refused.value.maybe_applied
        fake.faults.append("drop")
        with pytest.raises(Unavailable) as dropped:
            await client.create_card(LIST_A, "x")
        assert dropped.value.maybe_applied


async def test_plain_text_401_and_non_json_answer() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/me"):
            return httpx.Response(401, text="invalid token")
        return httpx.Response(200, text="not json")

    async with TrelloClient(
        CREDS, base_url="http://t/1", transport=httpx.MockTransport(handler)
    ) as client:
        with pytest.raises(AuthError) as auth:
            await client.me()
        assert auth.value.reason == "invalid_token"
        assert TOKEN not in str(auth.value) and KEY not in repr(auth.value)
        with pytest.raises(BadResponse):
            await client.card("abc")


async def test_batch_splits_answers_and_errors() -> None:
    fake = FakeTrello()
    async with make(fake) as client:
        card = await client.create_card(LIST_A, "one,two")
        results = await client.batch(
            [calls.card(card.id), calls.card("5f0000000000000000000fff"), calls.list_cards(LIST_A)]
        )
        raw = await client.batch([f"/cards/{card.id}?fields=name,idList"])
    assert isinstance(results[0], Card) and results[0].name == "one,two"
    assert isinstance(results[1], NotFound)
    assert [c.id for c in results[2]] == [card.id]
    assert raw == [fake.cards[card.id]]
    assert len(fake.requests_to("GET", "/batch")) == 2


async def test_limiter_learns_from_headers() -> None:
    fake = FakeTrello(token_max=50, remaining=10)
    limiter = RateLimiter()
    async with make(fake, limiter=limiter) as client:
        await client.me()
    window = limiter.windows["token"]
    assert window.maximum == 50
    # Trello counted 40 requests; we sent 1: the other 39 are booked as someone else's.
    assert window.used(limiter.now(), limiter.pad_s) == 40


def test_client_repr_hides_secrets() -> None:
    client = TrelloClient(
        CREDS, base_url="http://t/1", transport=httpx.MockTransport(lambda r: httpx.Response(200))
    )
    assert KEY not in repr(client) and TOKEN not in repr(client)
    assert writes.create_card(LIST_A, "x").idempotent is False
