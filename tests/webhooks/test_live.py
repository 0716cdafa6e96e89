"""Acceptance, end to end on loopback: sandbox → stand-in tunnel → receiver → engine."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.webhooks.rig import ACTIONS_ROUTE, live_rig, served_sandbox, wait_for

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
