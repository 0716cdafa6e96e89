"""Live updates on loopback: delivery latency, polling while live, fallback and recovery.

The sandbox is served in a thread; the app side (TrelloClient, RequestQueue, SyncEngine,
Poller, LiveUpdates with the stand-in tunnel) runs in this process's event loop, exactly as
tests/webhooks/rig.py wires it. A teammate renames 30 cards one after another with their own
token; for each, the time from their request's answer to the engine's board showing the new
name is measured. Then 5 s of quiet steady state count the app's requests. Then the tunnel
process is killed: time until polling mode, until a change made in the gap shows up, and
until live mode is back (the tunnel's restart backoff is 1 s here).

Last line: {"latency_median_ms", "latency_p95_ms", "latency_max_ms", "polls_while_live",
"idle_requests", "fallback_ms", "gap_change_ms", "live_again_s"}.
Run: uv run python benchmarks/webhooks.py
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.webhooks.rig import ACTIONS_ROUTE, live_rig, served_sandbox, wait_for
from trello_tui.live.tunnel import Tunnel

CHANGES = 30


async def main() -> dict[str, float]:
    figures: dict[str, float] = {}
    with served_sandbox() as (sb, url), tempfile.TemporaryDirectory() as tmp:
        async with live_rig(sb, url, Path(tmp)) as rig:
            await wait_for(lambda: rig.live.mode == "live", within=10.0)
            await asyncio.sleep(0.5)
            cards = rig.open_card_ids()
            polls = rig.my_requests(ACTIONS_ROUTE) + rig.my_requests("GET /batch")
            latencies = [
                await rig.rename_as_teammate(cards[n % len(cards)], f"Bench {n}")
                for n in range(CHANGES)
            ]
            quiet = rig.my_requests()
            await asyncio.sleep(5.0)
            figures["latency_median_ms"] = round(statistics.median(latencies) * 1000, 1)
            figures["latency_p95_ms"] = round(statistics.quantiles(latencies, n=20)[18] * 1000, 1)
            figures["latency_max_ms"] = round(max(latencies) * 1000, 1)
            now_polls = rig.my_requests(ACTIONS_ROUTE) + rig.my_requests("GET /batch")
            figures["polls_while_live"] = now_polls - polls
            figures["idle_requests"] = rig.my_requests() - quiet

            tunnel = rig.live.source
            assert isinstance(tunnel, Tunnel) and tunnel.pid is not None
            os.kill(tunnel.pid, signal.SIGKILL)
            killed = time.monotonic()
            await wait_for(lambda: rig.live.mode == "polling", within=5.0)
            figures["fallback_ms"] = round((time.monotonic() - killed) * 1000, 1)
            await rig.mate.update_card(cards[0], name="Changed in the gap")
            changed = time.monotonic()
            await wait_for(lambda: rig.card_name(cards[0]) == "Changed in the gap", within=5.0)
            figures["gap_change_ms"] = round((time.monotonic() - changed) * 1000, 1)
            await wait_for(lambda: rig.live.mode == "live", within=10.0)
            figures["live_again_s"] = round(time.monotonic() - killed, 2)
    return figures


if __name__ == "__main__":
    result = asyncio.run(main())
    for name, value in result.items():
        print(f"{name:>20}: {value}")
    print(json.dumps(result))
