"""A stand-in tunnel: a loopback TCP forwarder that announces its URL like cloudflared does.

``python -m trello_tui.sandbox.forward_proxy --to http://127.0.0.1:PORT`` listens on a free
loopback port, copies bytes both ways to the target, and prints its "public" URL on stderr in
cloudflared's box (after a banner with a documentation link, exactly the kind of noise the URL
reader must skip). ``--style ngrok`` prints an ngrok log line on stdout instead, ``--style
plain`` just the URL. Tests and the demo use it as ``tunnel_command`` so the whole webhook path
(Trello → tunnel → receiver) runs for real on loopback, without the internet.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from urllib.parse import urlsplit

_BUFFER = 64 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(_BUFFER):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _forward(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    host: str,
    port: int,
) -> None:
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(
        _pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer)
    )


def announce(url: str, style: str, target: str) -> None:
    """Print the URL the way the imitated tunnel does."""
    if style == "ngrok":
        print(f't=now lvl=info msg="started tunnel" addr={target} url={url}', flush=True)
        return
    if style == "plain":
        print(url, flush=True)
        return
    width = 92
    lines = [
        "INF Thank you for trying Cloudflare Tunnel. Read more at"
        " https://developers.cloudflare.com/cloudflare-one/connections/connect-apps",
        f"INF Settings: map[url:{target}]",
        "INF +" + "-" * width + "+",
        "INF |  Your quick Tunnel has been created! Visit it at:".ljust(width + 5) + "|",
        f"INF |  {url}".ljust(width + 5) + "|",
        "INF +" + "-" * width + "+",
    ]
    for line in lines:
        print(line, file=sys.stderr, flush=True)


async def serve(target: str, listen_port: int, style: str) -> None:
    parts = urlsplit(target)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _forward(reader, writer, host, port)

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    bound = server.sockets[0].getsockname()[1]
    announce(f"http://127.0.0.1:{bound}", style, target)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="forward_proxy", description=__doc__.splitlines()[0])
    parser.add_argument("--to", required=True, help="where to forward, e.g. http://127.0.0.1:8080")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 picks one)")
    parser.add_argument("--style", choices=("cloudflared", "ngrok", "plain"), default="cloudflared")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.to, args.port, args.style))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
