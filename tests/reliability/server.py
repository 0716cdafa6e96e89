"""The chaos machine's Trello: the sandbox served from a process of its own.

Trello is another machine: its work must not share the app's interpreter (and its lock) and
be counted as the app's event loop stalling. The sandbox, set up in this process, is forked
into a child that serves it on loopback; this process changes its faults and reads its world
back through a pipe. Every call is a short round trip (the child answers at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import pickle
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.world import World


def _serve(sb: Sandbox, conn: Connection) -> None:
    # Forked from a running event loop: this process starts a loop of its own.
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop_policy(None)
    asyncio.run(_serve_async(sb, conn))


async def _serve_async(sb: Sandbox, conn: Connection) -> None:
    """Serve, and answer the parent's commands on the same loop (between two requests)."""
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()

    def answer() -> None:
        try:
            command, args = conn.recv()
        except EOFError:  # the parent is gone
            loop.remove_reader(conn.fileno())
            stopped.set()
            return
        if command == "stop":
            loop.remove_reader(conn.fileno())
            stopped.set()
            conn.send(None)
        elif command == "faults":
            sb.faults.update(args[0])
            conn.send(None)
        elif command == "fired":
            conn.send(Counter(sb.faults.fired))
        elif command == "world":
            conn.send_bytes(pickle.dumps(sb.world))

    async with sb.serve() as url:
        conn.send(url)
        loop.add_reader(conn.fileno(), answer)
        await stopped.wait()


class SandboxProcess:
    """``with SandboxProcess(sb) as server:`` serves ``sb`` from a child process."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.url = ""
        self._conn: Connection | None = None
        self._process: Any = None

    def __enter__(self) -> SandboxProcess:
        context = multiprocessing.get_context("fork")
        mine, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(self.sb, theirs), daemon=True)
        self._process.start()
        theirs.close()
        self._conn = mine
        if not mine.poll(30):
            raise RuntimeError("the sandbox process did not start")
        self.url = mine.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(EOFError, OSError):
                self._call(conn, "stop")
            conn.close()
        if self._process is not None:
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()

    def _call(self, conn: Connection, command: str, *args: Any) -> Any:
        conn.send((command, args))
        return conn.recv()

    def _conn_or_fail(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the sandbox process is not running")
        return self._conn

    def update_faults(self, values: dict[str, Any]) -> None:
        self._call(self._conn_or_fail(), "faults", values)

    def fired(self) -> Counter[str]:
        fired: Counter[str] = self._call(self._conn_or_fail(), "fired")
        return fired

    def world(self) -> World:
        """The served world as it is now (a copy)."""
        conn = self._conn_or_fail()
        conn.send(("world", ()))
        world: World = pickle.loads(conn.recv_bytes())
        return world
