"""Acceptance, end to end on loopback: sandbox → stand-in tunnel → receiver → engine."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.webhooks.rig import ACTIONS_ROUTE, FAST, live_rig, served_sandbox, wait_for
from trello_tui.live.tunnel import Tunnel
from trello_tui.live.webhooks import sign

pytestmark = pytest.mark.timeout(60)


async def test_teammate_changes_arrive_live_without_polling(tmp_path: Path) -> None:
    with served_sandbox() as (sb, url):
        async with live_rig(sb, url, tmp_path) as rig:
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            hooks = [h for h in sb.world.webhooks.values() if h.id_model == rig.board_id]
            assert len(hooks) == 1
            assert hooks[0].callback_url == rig.live.public_url + f"/trello/webhook/{rig.board_id}"
            await asyncio.sleep(0.3)  # let the catch-up poll of the switch to live finish
            polls_before = rig.my_requests(ACTIONS_ROUTE) + rig.my_requests("GET /batch")
            latencies = []
            for n, card_id in enumerate(rig.open_card_ids()[:5]):
                latencies.append(await rig.rename_as_teammate(card_id, f"Renamed by a mate {n}"))
            mine_before_idle = rig.my_requests()
            await asyncio.sleep(2.0)  # steady state: the poller would have polled 8 times
            polls_after = rig.my_requests(ACTIONS_ROUTE) + rig.my_requests("GET /batch")
            print(
                json.dumps(
                    {
                        "max_latency_s": round(max(latencies), 3),
                        "polls_while_live": polls_after - polls_before,
                        "idle_requests": rig.my_requests() - mine_before_idle,
                    }
                )
            )
            assert max(latencies) < 1.0
            assert polls_after == polls_before  # no polling at all while live
            assert rig.my_requests() == mine_before_idle  # nothing at all when nothing happens
            assert rig.live.mode == "live"


async def test_hostile_deliveries_are_refused_and_the_app_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="trello_tui.webhooks")
    with served_sandbox() as (sb, url):
        async with live_rig(sb, url, tmp_path) as rig:
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            card_id = rig.open_card_ids()[0]
            await rig.rename_as_teammate(card_id, "Genuine change")
            await asyncio.sleep(0.3)
            secret = sb.credentials.secret
            path = rig.live.receiver.path_for(rig.board_id)
            callback = rig.live.public_url + path
            newest = (await rig.mate.board_actions(rig.board_id, limit=1))[0]
            genuine = json.dumps({"action": newest.raw, "model": {"id": rig.board_id}}).encode()
            forged_body = json.dumps(
                {
                    "action": {**newest.raw, "id": "f" * 24, "type": "deleteCard"},
                    "model": {"id": rig.board_id},
                }
            ).encode()
            names_before = {cid: rig.card_name(cid) for cid in rig.open_card_ids()}
            requests_before = rig.my_requests()

            async with httpx.AsyncClient(base_url=rig.live.public_url) as outsider:

                async def post(body: bytes, signature: str) -> int:
                    headers = {"X-Trello-Webhook": signature, "content-type": "application/json"}
                    response = await outsider.post(path, content=body, headers=headers)
                    return response.status_code

                statuses = {
                    "forged": await post(
                        forged_body, sign("guessed-secret", forged_body, callback)
                    ),
                    "altered": await post(forged_body, sign(secret, genuine, callback)),
                    "wrong-url": await post(genuine, sign(secret, genuine, url + path)),
                    "unsigned": await post(genuine, ""),
                    "oversized": await post(b"{" + b" " * 300_000 + b"}", "x"),
                    "not-json": await post(b"<xml/>", sign(secret, b"<xml/>", callback)),
                    "replayed": await post(genuine, sign(secret, genuine, callback)),
                }
            print(json.dumps(statuses))
            assert statuses == {
                "forged": 401,
                "altered": 401,
                "wrong-url": 401,
                "unsigned": 401,
                "oversized": 413,
                "not-json": 400,
                "replayed": 200,  # answered, so Trello stops retrying, but not merged again
            }
            stats = rig.live.receiver.stats
            assert stats.rejected["bad-signature"] == 3 and stats.duplicates >= 1
            for reason in ("bad-signature", "unsigned", "too-large", "not-json"):
                assert f"rejected ({reason})" in caplog.text
            assert "already seen" in caplog.text
            assert secret not in caplog.text and sb.credentials.token not in caplog.text
            # The app is unaffected: board untouched, nothing fetched, still live, still working.
            assert {cid: rig.card_name(cid) for cid in rig.open_card_ids()} == names_before
            assert rig.my_requests() == requests_before
            assert rig.live.mode == "live"
            assert await rig.rename_as_teammate(card_id, "Still live") < 1.0


async def test_tunnel_killed_falls_back_to_polling_and_comes_back(tmp_path: Path) -> None:
    settings = dataclasses.replace(FAST, tunnel_backoff_initial=2.0)
    with served_sandbox() as (sb, url):
        async with live_rig(sb, url, tmp_path, settings) as rig:
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            tunnel = rig.live.source
            assert isinstance(tunnel, Tunnel) and tunnel.pid is not None
            old_url = tunnel.url
            cards = rig.open_card_ids()[:3]

            os.kill(tunnel.pid, signal.SIGKILL)
            killed = time.monotonic()
            await wait_for(lambda: rig.live.mode == "polling", within=2.0)
            fallback_s = time.monotonic() - killed
            assert "tunnel stopped" in rig.live.status.reason
            assert rig.poller.mode == "polling" and rig.poller.interval() <= 0.5

            # Teammate changes while nothing can be delivered: polling must bring them all.
            for n, card_id in enumerate(cards):
                await rig.mate.update_card(card_id, name=f"Changed during the gap {n}")
            await wait_for(
                lambda: all(
                    rig.card_name(c) == f"Changed during the gap {n}" for n, c in enumerate(cards)
                ),
                within=1.5,
            )
            assert rig.live.mode == "polling"  # they came by polling, not by a late delivery
            gap_seen_s = time.monotonic() - killed

            # The tunnel restarts (new address); the webhook is moved and live mode returns.
            await wait_for(lambda: rig.live.mode == "live", within=8.0)
            back_s = time.monotonic() - killed
            assert rig.poller.mode == "live" and rig.poller.interval() == 3600.0  # slowed down
            assert tunnel.url is not None and tunnel.url != old_url
            hook = next(h for h in sb.world.webhooks.values() if h.id_model == rig.board_id)
            assert hook.callback_url.startswith(tunnel.url)
            await asyncio.sleep(0.3)
            polls = rig.my_requests(ACTIONS_ROUTE) + rig.my_requests("GET /batch")
            latency = await rig.rename_as_teammate(cards[0], "Live again")
            await asyncio.sleep(1.0)
            assert rig.my_requests(ACTIONS_ROUTE) + rig.my_requests("GET /batch") == polls
            print(
                json.dumps(
                    {
                        "fallback_s": round(fallback_s, 3),
                        "gap_changes_seen_s": round(gap_seen_s, 3),
                        "live_again_s": round(back_s, 3),
                        "latency_after_s": round(latency, 3),
                    }
                )
            )
            assert fallback_s < FAST.health_interval + 0.5
            assert latency < 1.0
