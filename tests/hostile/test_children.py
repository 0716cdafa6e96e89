"""The app's helper processes die with it: the real app in a pty, then the terminal closes,
or SIGHUP, SIGTERM, SIGINT or SIGKILL reaches it, and no process of its tunnel's group (nor
its warden) is left.

The tunnel command is a shell script that starts the stand-in tunnel (forward_proxy) in the
background and waits, so the group holds a helper the app never started itself: ending only
the app's own child would leave that one behind. The script writes its pid (its group's id:
it leads its own session) to a file, which is how the test finds the group.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.webhooks.rig import served_sandbox
from trello_tui.children import WARDEN_NAME

BOARD = "Product Roadmap"


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def processes() -> Iterator[tuple[int, int, int, str]]:
    """(pid, parent pid, group id, command line) of every process (Linux /proc)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        yield int(entry.name), int(fields[1]), int(fields[2]), cmdline


def wait_until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@dataclass
class RunningApp:
    process: subprocess.Popen[bytes]
    master: int
    pidfile: Path
    output: bytearray = field(default_factory=bytearray)
    wardens: list[int] = field(default_factory=list)

    def read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output.extend(chunk)

    def close_terminal(self) -> None:
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


@contextlib.contextmanager
def app_in_a_terminal(tmp_path: Path) -> Iterator[RunningApp]:
    """``trello-tui --board …`` in a pty, live updates on through the tunnel script."""
    with served_sandbox() as (sb, url):
        config = tmp_path / "config"
        config.mkdir()
        pidfile = tmp_path / "tunnel.pid"
        script = (
            f'echo $$ > "{pidfile}"; '
            f'"{sys.executable}" -m trello_tui.sandbox.forward_proxy --to "$1" & wait'
        )
        command = ["sh", "-c", script, "tunnel", "{local_url}"]
        (config / "config.toml").write_text(f"[webhooks]\ntunnel_command = {json.dumps(command)}\n")
        creds = sb.credentials
        env = {
            **os.environ,
            "TRELLO_TUI_CONFIG_DIR": str(config),
            "TRELLO_TUI_CACHE_DIR": str(tmp_path / "cache"),
            "TRELLO_TUI_STATE_DIR": str(tmp_path / "state"),
            "TRELLO_API_URL": url,
            "TRELLO_API_KEY": creds.key,
            "TRELLO_TOKEN": creds.token,
            "TRELLO_API_SECRET": creds.secret,
            "TERM": "xterm-256color",
        }
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        process = subprocess.Popen(
            [sys.executable, "-m", "trello_tui", "--board", BOARD],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            preexec_fn=controlling_terminal,
        )
        os.close(slave)
        app = RunningApp(process, master, pidfile)
        reader = threading.Thread(target=app.read, daemon=True)
        reader.start()
        try:
            yield app
        finally:
            tunnel = int(pidfile.read_text() or 0) if pidfile.exists() else None
            for pid, _, pgid, _ in list(processes()):  # nothing of ours stays behind
                if pgid in (app.process.pid, tunnel) or pid in app.wardens:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
            if process.poll() is None:
                process.kill()
            process.wait(5)
            app.close_terminal()
            reader.join(5)


def tunnel_group(app: RunningApp) -> int:
    """The tunnel's group id, once the script and the proxy it started both run."""

    def proxy_up() -> bool:
        if not app.pidfile.exists() or not app.pidfile.read_text().strip():
            return False
        pgid = int(app.pidfile.read_text())
        return any(pg == pgid and "forward_proxy" in cmd for _, _, pg, cmd in processes())

    assert wait_until(proxy_up, 30), bytes(app.output[-2000:]).decode(errors="replace")
    return int(app.pidfile.read_text())


def warden_of(app: RunningApp) -> int:
    """The app's warden: started beside the tunnel, possibly a moment after it."""

    def found() -> list[int]:
        return [
            pid
            for pid, ppid, _, cmd in processes()
            if ppid == app.process.pid and WARDEN_NAME in cmd
        ]

    assert wait_until(lambda: len(found()) == 1, 10), found()
    app.wardens.extend(found())
    return app.wardens[0]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(
    ("how", "status"),
    [
        ("terminal closed", 128 + signal.SIGHUP),
        ("SIGHUP", 128 + signal.SIGHUP),
        ("SIGTERM", 128 + signal.SIGTERM),
        ("SIGINT", 128 + signal.SIGINT),
        ("SIGKILL", -signal.SIGKILL),  # no handler runs: the warden ends the group
    ],
)
def test_no_helper_outlives_the_app(tmp_path: Path, how: str, status: int) -> None:
    with app_in_a_terminal(tmp_path) as app:
        pgid = tunnel_group(app)
        warden = warden_of(app)
        assert group_alive(pgid)
        if how == "terminal closed":
            app.close_terminal()  # the kernel hangs up the session: SIGHUP to the app
        else:
            app.process.send_signal(getattr(signal, how))
        app.process.wait(10)
        assert app.process.returncode == status
        assert wait_until(lambda: not group_alive(pgid), 5), [
            p for p in processes() if p[2] == pgid
        ]
        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)
        assert wait_until(lambda: not pid_alive(warden), 5)  # and it is gone too
