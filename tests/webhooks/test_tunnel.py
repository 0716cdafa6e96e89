"""The tunnel runner: URL discovery in real tools' output, restart on death, clean stop."""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from trello_tui.live.tunnel import FixedUrl, Tunnel, TunnelError, expand_command, find_public_url
from trello_tui.live.webhooks import Delivery, WebhookReceiver

LOCAL = "http://127.0.0.1:8080"
PY = shlex.quote(sys.executable)
PROXY = f"{PY} -m trello_tui.sandbox.forward_proxy --to {{local_url}}"

CLOUDFLARED = """\
2026-11-28T01:00:00Z INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps
2026-11-28T01:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...
2026-11-28T01:00:01Z INF +--------------------------------------------------------------------------------------------+
2026-11-28T01:00:01Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |
2026-11-28T01:00:01Z INF |  https://gentle-owl-fancy-river.trycloudflare.com                                         |
2026-11-28T01:00:01Z INF +--------------------------------------------------------------------------------------------+
2026-11-28T01:00:01Z INF Settings: map[ha-connections:1 protocol:quic url:http://127.0.0.1:8080]
"""  # noqa: E501


def first_url(text: str) -> str | None:
    for line in text.splitlines():
        url = find_public_url(line, LOCAL)
        if url is not None:
            return url
    return None


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (CLOUDFLARED, "https://gentle-owl-fancy-river.trycloudflare.com"),
        (
            "INF Settings: map[url:http://127.0.0.1:8080]\n"
            "INF |  https://a-b-c.trycloudflare.com   |\n",
            "https://a-b-c.trycloudflare.com",
        ),
        (
            't=2026 lvl=info msg="started tunnel" obj=tunnels name=command_line'
            " addr=http://localhost:8080 url=https://1a2b-3c4d.ngrok-free.app\n",
            "https://1a2b-3c4d.ngrok-free.app",
        ),
        (
            "Forwarding   https://1a2b.ngrok-free.app -> http://localhost:8080\n",
            "https://1a2b.ngrok-free.app",
        ),
        (
            "Available on the internet:\n\nhttps://laptop.tail1234.ts.net/\n"
            "|-- proxy http://127.0.0.1:8080\n",
            "https://laptop.tail1234.ts.net",
        ),
        (
            "To set up a custom domain login at https://admin.localhost.run/\n"
            "3f2a1b.lhr.life tunneled with tls termination, https://3f2a1b.lhr.life\n",
            "https://3f2a1b.lhr.life",
        ),
        ("Forwarding HTTP traffic from https://abc.serveo.net\n", "https://abc.serveo.net"),
        ("your url is: https://tidy-cat-42.loca.lt\n", "https://tidy-cat-42.loca.lt"),
        (
            "Forwarding \x1b[36mhttps://c0l0r.ngrok-free.app\x1b[0m -> http://localhost:8080\n",
            "https://c0l0r.ngrok-free.app",
        ),
        ("see https://example.com/docs/tunnels for help\nnothing else\n", None),
        ("listening on http://127.0.0.1:8080\n", None),
    ],
)
def test_public_url_is_found_in_common_tunnel_output(output: str, expected: str | None) -> None:
    assert first_url(output) == expected


def test_url_pattern_overrides_the_guess() -> None:
    import re

    pattern = re.compile(r"PUBLIC=(\S+)")
    assert find_public_url("x https://a.test PUBLIC=https://b.test/hook", LOCAL, pattern) == (
        "https://b.test/hook"
    )


def test_command_is_an_argv_with_placeholders_filled_per_argument() -> None:
    argv = expand_command(
        "cloudflared tunnel --url {local_url} --label 'a b;c' --metrics 127.0.0.1:{port}",
        LOCAL,
        8080,
    )
    assert argv == [
        "cloudflared",
        "tunnel",
        "--url",
        LOCAL,
        "--label",
        "a b;c",
        "--metrics",
        "127.0.0.1:8080",
    ]
    with pytest.raises(TunnelError, match="quotes"):
        expand_command("cloudflared 'unbalanced", LOCAL, 1)
    with pytest.raises(TunnelError, match="empty"):
        expand_command("   ", LOCAL, 1)


async def test_shell_syntax_is_never_interpreted() -> None:
    # Through a shell, the echo would print a URL; as an argv, ';' is just an argument.
    tunnel = Tunnel(f"{PY} -c 'print(1)' ; echo https://evil.test", LOCAL, 8080, start_timeout=5)
    with pytest.raises(TunnelError, match="before printing a public URL"):
        await tunnel.start()
    assert tunnel.url is None


async def test_missing_program_is_explained() -> None:
    tunnel = Tunnel("no-such-tunnel-binary --url {local_url}", LOCAL, 8080)
    with pytest.raises(TunnelError, match=r"not found.*public_url"):
        await tunnel.start()


async def test_silent_tunnel_times_out_and_is_stopped() -> None:
    tunnel = Tunnel(f"{PY} -c 'import time; time.sleep(30)'", LOCAL, 8080, start_timeout=0.5)
    with pytest.raises(TunnelError, match="no public URL within"):
        await tunnel.start()
    assert not tunnel.alive


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async def sink(delivery: Delivery) -> None:
        return None

    receiver = WebhookReceiver("secret", sink)
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0); it is gone once it is reaped, which stop() does.
    return False


@pytest.mark.parametrize("style", ["cloudflared", "ngrok"])
async def test_stand_in_tunnel_forwards_and_restarts(receiver: WebhookReceiver, style: str) -> None:
    assert receiver.port is not None
    tunnel = Tunnel(
        f"{PROXY} --style {style}", receiver.local_url, receiver.port, backoff_initial=0.2
    )
    heard: list[str | None] = []
    tunnel.listen(heard.append)
    url = await tunnel.start()
    try:
        assert url.startswith("http://127.0.0.1:") and url != receiver.local_url
        before = receiver.stats.probes
        async with httpx.AsyncClient() as client:
            assert (await client.head(url + "/trello/webhook/b1")).status_code == 200
        assert receiver.stats.probes == before + 1

        first_pid = tunnel.pid
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        for _ in range(200):
            if None in heard:
                break
            await asyncio.sleep(0.01)
        assert heard[:2] == [url, None]  # the death is heard at once, not at the next check
        for _ in range(500):
            if tunnel.url is not None:
                break
            await asyncio.sleep(0.01)
        assert tunnel.url is not None and tunnel.url != url  # a new port, like a new quick tunnel
        assert tunnel.restarts == 1 and tunnel.pid != first_pid
        async with httpx.AsyncClient() as client:
            assert (await client.get(tunnel.url + "/")).status_code == 200
    finally:
        last_pid = tunnel.pid
        await tunnel.stop()
    assert last_pid is not None and _gone(last_pid)
    assert heard[-1] is None and tunnel.url is None


async def test_fixed_url_needs_no_process() -> None:
    fixed = FixedUrl("https://hooks.example.test/")
    assert await fixed.start() == "https://hooks.example.test"
    assert fixed.alive
    await fixed.stop()
