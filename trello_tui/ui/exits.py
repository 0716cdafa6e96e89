"""Running the app so that a signal ends it cleanly, and its helper processes with it.

Textual reads ctrl+c as a key (the terminal is in raw mode) and installs nothing for SIGHUP
(the terminal was closed) or SIGTERM: either killed Python on the spot, with no unmount and
no cleanup, and the tunnel command (its own session, so it never hears the terminal's
hang-up) lived on under PID 1. ``run`` puts handlers for SIGHUP, SIGTERM and SIGINT on the
app's loop. A signal first sends SIGTERM to every helper's process group
(``children.terminate_all``), then asks the app to exit, so the unmount still closes
everything in order (the engine, the webhooks, the tunnel). Should that not be over within
``GRACE_S`` (a hung-up terminal that blocks writes, a Trello that does not answer the
webhook deletion), or a second signal come, the helpers are killed and the process ends
at once. Either way ``children.end_all`` runs when the loop is done.

The exit status after a signal is 128 + its number, as a shell reports a death by signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from typing import Any

from textual.app import App

from trello_tui import children

#: how long a signalled app may take to shut down before it is ended hard
GRACE_S = 5.0
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGHUP", "SIGTERM", "SIGINT") if hasattr(signal, name)
)


def _hard_exit(signum: int) -> None:
    children.end_all(grace_s=0.5)
    os._exit(128 + signum)


def run(app: App[Any], *, grace_s: float = GRACE_S) -> int:
    """Run ``app`` to its end; its exit status (128 + the signal's number after one)."""
    signalled: list[int] = []

    def on_signal(signum: int) -> None:
        if signalled:  # a second signal: the user (or the system) will not wait
            _hard_exit(signalled[0])
        signalled.append(signum)
        children.terminate_all()
        # A thread, not the loop: it must fire even if the shutdown blocks the loop.
        timer = threading.Timer(grace_s, _hard_exit, (signum,))
        timer.daemon = True
        timer.start()
        app.exit(return_code=128 + signum)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        installed: list[int] = []
        for signum in SIGNALS:
            # Not on the main thread, or no signals at all (Windows): the defaults stay.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, on_signal, signum)
                installed.append(signum)
        try:
            await app.run_async()
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)

    try:
        asyncio.run(main())
    finally:
        children.end_all()
    if signalled:
        return 128 + signalled[0]
    return app.return_code or 0
