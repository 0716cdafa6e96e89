"""Health on loopback: silent delivery loss, Trello's webhook state, registration and reuse."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.webhooks.rig import FAST, live_rig, served_sandbox, wait_for
from trello_tui.live.updates import LiveSettings
from trello_tui.sandbox import Sandbox

pytestmark = pytest.mark.timeout(60)


def _hook(sb: Sandbox, board_id: str) -> Any:
    return next(h for h in sb.world.webhooks.values() if h.id_model == board_id)


async def test_a_change_the_probe_sees_but_no_webhook_brings_means_polling(
    tmp_path: Path,
) -> None:
    # Deliveries stop silently (Trello disabled the webhook; the tunnel is fine). Only the
    # poller's occasional probe can notice: the change it finds never arrives by webhook.
    with served_sandbox() as (sb, url):
        async with live_rig(sb, url, tmp_path, probe_s=0.5) as rig:
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            _hook(sb, rig.board_id).active = False
            card_id = rig.open_card_ids()[1]
            await rig.mate.update_card(card_id, name="Nobody delivered this")
            await wait_for(lambda: rig.live.mode == "polling", within=FAST.delivery_grace + 2.0)
            assert "did not arrive by webhook" in rig.live.status.reason
            await wait_for(lambda: rig.card_name(card_id) == "Nobody delivered this", within=2.0)
            # Re-registered in the background (re-activated): live again, and deliveries flow.
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            assert _hook(sb, rig.board_id).active
            assert await rig.rename_as_teammate(card_id, "Delivered again") < 1.0


async def test_inactive_or_failing_webhook_reported_by_trello_means_polling(
    tmp_path: Path,
) -> None:
    settings = dataclasses.replace(FAST, status_interval=0.3)
    with served_sandbox() as (sb, url):
        async with live_rig(sb, url, tmp_path, settings) as rig:
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            seen: list[str] = []
            rig.live.listen(lambda status: seen.append(f"{status.mode}: {status.reason}"))
            _hook(sb, rig.board_id).active = False
            await wait_for(lambda: any("is inactive" in s for s in seen), within=3.0)
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            assert _hook(sb, rig.board_id).active

            _hook(sb, rig.board_id).consecutive_failures += 3
            await wait_for(lambda: any("failed 3 time(s)" in s for s in seen), within=3.0)
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            print(json.dumps(seen))
            assert [s.split(":")[0] for s in seen].count("polling") >= 2


async def test_an_unreachable_public_url_is_explained(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    settings = dataclasses.replace(FAST, public_url=dead, tunnel_command=None)
    with served_sandbox() as (sb, url):
        async with live_rig(sb, url, tmp_path, settings) as rig:
            await asyncio.sleep(0.6)
            assert rig.live.mode == "polling"
            reason = rig.live.status.reason
            print(reason)
            assert "does not reach the app" in reason
            assert not [h for h in sb.world.webhooks.values() if h.id_model == rig.board_id]


async def test_head_check_failure_is_explained_in_words(tmp_path: Path) -> None:
    # Our own probe through the tunnel works, but Trello's HEAD check gets a 502 (what a
    # tunnel answers when it cannot reach the app): no webhook, and the reason in words.
    refusing = httpx.MockTransport(lambda request: httpx.Response(502))
    with served_sandbox(webhook_transport=refusing) as (sb, url):
        async with live_rig(sb, url, tmp_path) as rig:
            await wait_for(lambda: "got HTTP 502" in rig.live.status.reason, within=3.0)
            reason = rig.live.status.reason
            print(reason)
            assert f"cannot reach the app at {rig.live.receiver.local_url}" in reason
            assert rig.live.mode == "polling"
            assert not [h for h in sb.world.webhooks.values() if h.id_model == rig.board_id]


async def test_webhooks_are_reused_moved_and_deleted_on_exit(tmp_path: Path) -> None:
    with served_sandbox() as (sb, url):
        async with live_rig(sb, url, tmp_path / "one") as rig:
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            first = _hook(sb, rig.board_id)
            first_url = first.callback_url
        # A second run (new tunnel address) reuses our webhook and moves it; no duplicate.
        keep = dataclasses.replace(FAST, delete_on_exit=True)
        async with live_rig(sb, url, tmp_path / "two", keep) as rig:
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            hooks = [h for h in sb.world.webhooks.values() if h.id_model == rig.board_id]
            assert [h.id for h in hooks] == [first.id]
            assert hooks[0].callback_url != first_url
            assert hooks[0].callback_url.startswith(rig.live.public_url or "?")
        assert not [h for h in sb.world.webhooks.values() if h.id_model == rig.board_id]


def test_settings_from_config_keep_loopback_by_default() -> None:
    from trello_tui.config.settings import WebhookSettings

    settings = LiveSettings.from_config(
        WebhookSettings(tunnel_command=("cloudflared", "tunnel", "--url", "{local_url}"))
    )
    assert settings.host == "127.0.0.1"
    assert settings.tunnel_command == ("cloudflared", "tunnel", "--url", "{local_url}")


async def test_a_tunnel_that_fails_to_start_is_retried(tmp_path: Path) -> None:
    flag = tmp_path / "network-is-up"
    script = (
        "import os, runpy, sys\n"
        f"if not os.path.exists({str(flag)!r}): sys.exit('no network')\n"
        "sys.argv = ['forward_proxy', '--to', sys.argv[1]]\n"
        "runpy.run_module('trello_tui.sandbox.forward_proxy', run_name='__main__')\n"
    )
    settings = dataclasses.replace(
        FAST, tunnel_command=(sys.executable, "-c", script, "{local_url}")
    )
    with served_sandbox() as (sb, url):
        async with live_rig(sb, url, tmp_path, settings) as rig:
            assert rig.live.mode == "polling"
            assert "before printing a public URL" in rig.live.status.reason
            assert "no network" in rig.live.status.reason  # its own words are passed on
            flag.touch()
            await wait_for(lambda: rig.live.mode == "live", within=5.0)
            assert _hook(sb, rig.board_id).callback_url.startswith(rig.live.public_url or "?")


async def test_the_receiver_listens_on_loopback_only(tmp_path: Path) -> None:
    with served_sandbox() as (sb, url):
        async with live_rig(sb, url, tmp_path) as rig:
            sock = rig.live.receiver._socket
            assert sock is not None and sock.getsockname()[0] == "127.0.0.1"
