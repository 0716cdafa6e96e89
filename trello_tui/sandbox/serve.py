"""Serving the sandbox with uvicorn: inside a running loop, in a thread, or from the CLI.

``trello-tui sandbox`` prints shell assignments first (``TRELLO_API_URL=…`` and the
credentials, one per line; with ``--admin`` also ``TRELLO_SANDBOX_ADMIN_TOKEN=…``, made per run
unless ``--admin-token`` or that variable gives one), then serves until interrupted. With
``--state FILE`` the world is loaded from FILE when it exists and written back (atomically)
after changes and at exit. ``--seeds DIR`` is the folder a reset may read seed files from.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from trello_tui.sandbox.core import Sandbox


def _socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class _Server(uvicorn.Server):
    """uvicorn without its signal capture: the CLI handles Ctrl+C and SIGTERM itself (so the
    world is saved), and a test's or the demo's process keeps its own handlers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _server(sb: Sandbox) -> uvicorn.Server:
    # log_config=None: leave logging to the host process (the demo runs a TUI on this terminal)
    config = uvicorn.Config(
        sb.app, log_config=None, log_level="warning", access_log=False, lifespan="off"
    )
    return _Server(config)


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/1"


@contextlib.asynccontextmanager
async def serve_async(sb: Sandbox, host: str, port: int) -> AsyncIterator[str]:
    sock = _socket(host, port)
    server = _server(sb)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.005)
        yield _url(sock)
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextlib.contextmanager
def serve_thread(sb: Sandbox, host: str, port: int) -> Iterator[str]:
    sock = _socket(host, port)
    server = _server(sb)
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True, name="sandbox"
    )
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("sandbox server failed to start")
            threading.Event().wait(0.005)
        yield _url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def save_state(sb: Sandbox, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(sb.world.to_json(), separators=(",", ":")), encoding="utf-8")
    os.chmod(tmp, 0o600)  # the file holds tokens and the app secret
    tmp.replace(path)


def load_sandbox(args: argparse.Namespace) -> Sandbox:
    from trello_tui.sandbox.core import Sandbox, SandboxConfig
    from trello_tui.sandbox.faults import Faults, parse_spec
    from trello_tui.sandbox.world import World

    faults = Faults()
    spec = getattr(args, "faults", None)
    if spec:
        faults.update(parse_spec(spec))
    config = SandboxConfig(
        admin=bool(args.admin),
        admin_token=_admin_token(getattr(args, "admin_token", None)),
        seeds_dir=_seeds_dir(getattr(args, "seeds", None)),
        faults=faults,
    )
    state = Path(args.state) if args.state else None
    if state is not None and state.exists():
        world = World.from_json(json.loads(state.read_text(encoding="utf-8")))
        return Sandbox(world, config, args.seed)
    return Sandbox.create(args.seed, config)


def _admin_token(given: str | None) -> str:
    """The admin token from ``--admin-token`` or the environment; "" to make one."""
    from trello_tui.sandbox.admin import TOKEN_ENV

    token = given if given is not None else os.environ.get(TOKEN_ENV, "")
    if token and (len(token) < 16 or not token.isascii() or not token.isprintable()
                  or " " in token):  # fmt: skip
        raise ValueError(
            f"the admin token ({'--admin-token' if given is not None else TOKEN_ENV}) must be "
            "at least 16 printable ASCII characters without spaces"
        )
    return token


def _seeds_dir(given: str | None) -> Path | None:
    if given is None:
        return None
    folder = Path(given).expanduser()
    if not folder.is_dir():
        raise ValueError(f"--seeds {given}: not a folder")
    return folder.resolve()


def banner(sb: Sandbox, url: str) -> list[str]:
    from trello_tui.sandbox.admin import TOKEN_ENV

    creds = sb.credentials
    lines = [
        f"TRELLO_API_URL={url}",
        f"TRELLO_API_KEY={creds.key}",
        f"TRELLO_TOKEN={creds.token}",
        f"TRELLO_API_SECRET={creds.secret}",
    ]
    if sb.config.admin:
        lines.append(f"{TOKEN_ENV}={sb.admin_token}")
    for username, token in sorted(creds.tokens.items()):
        if username != creds.me:
            lines.append(f"TRELLO_TOKEN_{username.upper()}={token}")
    return lines


async def _run(args: argparse.Namespace) -> None:
    from trello_tui.sandbox.teammate import run_teammate

    sb = load_sandbox(args)
    state = Path(args.state) if args.state else None
    async with sb.serve(args.host, args.port) as url:
        # Secrets go to stdout on purpose: this is how the user receives them (issue 2, §11).
        print("\n".join(banner(sb, url)), flush=True)
        print(f"# trello-tui sandbox (seed {sb.seed}) serving; Ctrl+C stops", file=sys.stderr)
        tasks = []
        if args.teammate and args.teammate > 0:
            tasks.append(asyncio.create_task(run_teammate(sb, args.teammate)))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        seen = sb.world.version
        try:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)
                if state is not None and sb.world.version != seen:
                    seen = sb.world.version
                    save_state(sb, state)
        finally:
            for t in tasks:
                t.cancel()
            if state is not None:
                save_state(sb, state)


def run_from_cli(args: argparse.Namespace) -> int:
    from trello_tui.sandbox.seeds import SeedError

    try:
        asyncio.run(_run(args))
    except (SeedError, ValueError) as err:  # a bad --seed, --seeds, --faults, --state, token
        print(f"trello-tui sandbox: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(
            f"trello-tui sandbox: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr
        )
        return 1
    except KeyboardInterrupt:
        return 0
    return 0
