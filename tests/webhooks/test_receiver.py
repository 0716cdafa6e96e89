"""The receiver on a real loopback socket: what it accepts, what it refuses, that it survives."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from trello_tui.live.webhooks import Delivery, WebhookReceiver, _SeenIds, sign

SECRET = "s3cr3t-app-secret-never-logged"
PUBLIC = "https://example-tunnel.test"
BOARD = "5a1b2c3d4e5f60718293a4b5"


def body_for(action_id: str, text: str = "hello", board: str = BOARD) -> bytes:
    payload = {
        "action": {
            "id": action_id,
            "type": "updateCard",
            "idMemberCreator": "m1",
            "date": "2026-11-28T01:00:00.000Z",
            "data": {"board": {"id": board}, "card": {"id": "c1", "name": text}},
        },
        "model": {"id": board, "name": "Board"},
        "webhook": {"id": "w1", "idModel": board, "callbackURL": "x", "active": True},
    }
    return json.dumps(payload).encode()


class Harness:
    def __init__(self, receiver: WebhookReceiver, got: list[Delivery]) -> None:
        self.receiver = receiver
        self.got = got
        self.path = receiver.path_for(BOARD)
        self.callback = PUBLIC + self.path
        receiver.expect(self.path, self.callback)

    async def post(
        self, body: bytes, signature: str | bytes | None = None, path: str | None = None
    ) -> httpx.Response:
        headers: dict[str, str | bytes] = {"content-type": "application/json"}
        sig = sign(SECRET, body, self.callback) if signature is None else signature
        if sig:
            headers["X-Trello-Webhook"] = sig
        async with httpx.AsyncClient(base_url=self.receiver.local_url) as client:
            return await client.post(path or self.path, content=body, headers=headers)


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    got: list[Delivery] = []

    async def sink(delivery: Delivery) -> None:
        got.append(delivery)

    receiver = WebhookReceiver(SECRET, sink, max_body=4096)
    await receiver.start()
    try:
        yield Harness(receiver, got)
    finally:
        await receiver.stop()


async def test_head_and_get_answer_200_on_any_path(harness: Harness) -> None:
    async with httpx.AsyncClient(base_url=harness.receiver.local_url) as client:
        assert (await client.head(harness.path)).status_code == 200
        assert (await client.get("/anything/else")).status_code == 200
        assert (await client.head("/")).status_code == 200


async def test_signed_delivery_reaches_the_sink(harness: Harness) -> None:
    response = await harness.post(body_for("a1", "first"))
    assert response.status_code == 200
    assert len(harness.got) == 1
    delivery = harness.got[0]
    assert delivery.model_id == BOARD
    assert delivery.action.id == "a1"
    assert delivery.action.type == "updateCard"
    assert delivery.webhook_id == "w1"
    assert harness.receiver.stats.accepted == 1
    assert BOARD in harness.receiver.stats.last_delivery


async def test_forged_and_altered_signatures_are_rejected_and_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="trello_tui.webhooks")
    body = body_for("a2")
    forged = sign("not-the-secret", body, harness.callback)
    assert (await harness.post(body, signature=forged)).status_code == 401
    genuine = sign(SECRET, body, harness.callback)
    altered = body.replace(b"hello", b"hijack")
    assert (await harness.post(altered, signature=genuine)).status_code == 401
    other_url = sign(SECRET, body, "https://attacker.test" + harness.path)
    assert (await harness.post(body, signature=other_url)).status_code == 401
    assert (await harness.post(body, signature="")).status_code == 401
    assert (
        await harness.post(body, signature="%%%not-base64\u00e9".encode("latin-1"))
    ).status_code == 401
    assert harness.got == []
    stats = harness.receiver.stats
    assert stats.rejected["bad-signature"] == 4
    assert stats.rejected["unsigned"] == 1
    assert "rejected (bad-signature)" in caplog.text
    # Nothing secret in the log: neither the app secret nor a signature value.
    assert SECRET not in caplog.text
    assert genuine not in caplog.text and forged not in caplog.text
    # ... and the app is unaffected: the genuine delivery still goes through.
    assert (await harness.post(body)).status_code == 200
    assert [d.action.id for d in harness.got] == ["a2"]


async def test_oversized_bodies_are_refused_early(harness: Harness) -> None:
    big = body_for("a3", "x" * 5000)
    assert (await harness.post(big)).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"y" * 1000

    # No Content-Length (chunked): the cap is enforced while reading.
    async with httpx.AsyncClient(base_url=harness.receiver.local_url) as client:
        response = await client.post(harness.path, content=chunks())
    assert response.status_code == 413
    assert harness.receiver.stats.rejected["too-large"] == 2
    assert harness.got == []
    assert (await harness.post(body_for("a4"))).status_code == 200


async def test_non_json_and_shapeless_bodies_are_refused(harness: Harness) -> None:
    assert (await harness.post(b"not json at all")).status_code == 400
    assert (await harness.post(b"\xff\xfe\x00")).status_code == 400
    assert (await harness.post(b"[1, 2]")).status_code == 400
    assert (await harness.post(b'{"model": {"id": "x"}}')).status_code == 400
    assert (await harness.post(b'{"action": {"id": ""}}')).status_code == 400
    stats = harness.receiver.stats.rejected
    assert stats["not-json"] == 2 and stats["not-an-object"] == 1 and stats["no-action"] == 2
    assert harness.got == []


async def test_replayed_delivery_is_ignored(harness: Harness) -> None:
    body = body_for("a5")
    for _ in range(3):
        assert (await harness.post(body)).status_code == 200
    assert [d.action.id for d in harness.got] == ["a5"]
    assert harness.receiver.stats.duplicates == 2


def test_seen_ids_are_bounded() -> None:
    seen = _SeenIds(3)
    for n in range(10):
        seen.add(f"id{n}")
    assert "id0" not in seen
    assert all(f"id{n}" in seen for n in (7, 8, 9))
    assert len(seen) == 3


async def test_the_same_action_reaches_each_watched_board(harness: Harness) -> None:
    # A card moved from board A to board B is one action, delivered to both boards' webhooks.
    other = "6b0a2e6ba92e86a6d00b3856"
    path = harness.receiver.path_for(other)
    harness.receiver.expect(path, PUBLIC + path)
    body = body_for("a10")
    other_body = body_for("a10", board=other)
    assert (await harness.post(body)).status_code == 200
    other_sig = sign(SECRET, other_body, PUBLIC + path)
    assert (await harness.post(other_body, other_sig, path=path)).status_code == 200
    assert [(d.model_id, d.action.id) for d in harness.got] == [(BOARD, "a10"), (other, "a10")]
    assert harness.receiver.seen(BOARD, "a10") and harness.receiver.seen(other, "a10")


async def test_unknown_path_is_refused(harness: Harness) -> None:
    body = body_for("a6")
    response = await harness.post(body, path=harness.receiver.path_for("someotherboard"))
    assert response.status_code == 404
    assert harness.got == []


async def test_the_previous_callback_url_still_verifies(harness: Harness) -> None:
    old = harness.callback
    harness.receiver.expect(harness.path, "https://new-tunnel.test" + harness.path)
    assert (
        await harness.post(body_for("a7"), sign(SECRET, body_for("a7"), old))
    ).status_code == 200
    harness.receiver.expect(harness.path, "https://newer-tunnel.test" + harness.path)
    response = await harness.post(body_for("a8"), sign(SECRET, body_for("a8"), old))
    assert response.status_code == 401


async def test_a_failing_sink_answers_500_and_lets_the_retry_in(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    async def sink(delivery: Delivery) -> None:
        calls.append(delivery.action.id)
        if len(calls) == 1:
            raise RuntimeError("engine hiccup")

    receiver = WebhookReceiver(SECRET, sink)
    await receiver.start()
    try:
        harness = Harness(receiver, [])
        assert (await harness.post(body_for("a9"))).status_code == 500
        assert (await harness.post(body_for("a9"))).status_code == 200
        assert calls == ["a9", "a9"]
    finally:
        await receiver.stop()


def _non_loopback_ipv4() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent for UDP connect
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


async def test_binds_loopback_by_default_and_port_is_known(harness: Harness) -> None:
    receiver = harness.receiver
    assert receiver._socket is not None
    host, port = receiver._socket.getsockname()[:2]
    assert host == "127.0.0.1"
    assert port == receiver.port and port > 0
    assert receiver.local_url == f"http://127.0.0.1:{port}"
    other = _non_loopback_ipv4()
    if other is not None:
        with pytest.raises(OSError), socket.create_connection((other, port), timeout=1):
            pass


async def test_configured_host_and_port_are_used() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]

    async def sink(delivery: Delivery) -> None:
        return None

    receiver = WebhookReceiver(SECRET, sink, host="0.0.0.0", port=free)
    await receiver.start()
    try:
        assert receiver.port == free
        assert receiver._socket is not None
        assert receiver._socket.getsockname()[0] == "0.0.0.0"
        assert receiver.local_url == f"http://127.0.0.1:{free}"  # what a tunnel should use
        other = _non_loopback_ipv4() or "127.0.0.1"
        async with httpx.AsyncClient() as client:
            assert (await client.head(f"http://{other}:{free}/")).status_code == 200
    finally:
        await receiver.stop()
    # Stopped means the port is free again.
    with socket.socket() as again:
        again.bind(("127.0.0.1", free))


def test_no_secret_no_receiver() -> None:
    async def sink(delivery: Delivery) -> None:
        return None

    with pytest.raises(ValueError, match="app secret"):
        WebhookReceiver("", sink)
    receiver = WebhookReceiver(SECRET, sink)
    assert SECRET not in repr(receiver)
