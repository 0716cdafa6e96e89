"""Child processes of one user's machine: apps (tests/processes/driver.py) and CLI commands.

``Proc`` reads a child's output on threads (never a blocking read) and ends it with its whole
process group; ``Processes`` ends everything it started; ``AppProc`` follows a driver's
reports (ready, names seen on its screen, its status line, its moves). Shared by the tests in
this folder and benchmarks/processes.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DRIVER = [sys.executable, "-m", "tests.processes.driver"]
CLI = [sys.executable, "-m", "trello_tui"]


def user_env(home: Path, url: str, key: str, token: str, **extra: str) -> dict[str, str]:
    """One user's environment: credentials, the API's URL and their folders under ``home``
    (every process of the user shares the cache, the state folder and so the outbox)."""
    return dict(
        os.environ,
        TRELLO_API_KEY=key,
        TRELLO_TOKEN=token,
        TRELLO_API_URL=url,
        TRELLO_USERNAME="alex",  # what `trello-tui auth` remembers for the signed-in user
        TRELLO_TUI_CACHE_DIR=str(home / "cache"),
        TRELLO_TUI_STATE_DIR=str(home / "state"),
        TRELLO_TUI_CONFIG_DIR=str(home / "config"),
        TZ="UTC",
        **extra,
    )


class Proc:
    """A child process whose stdout lines are read on a thread."""

    def __init__(self, args: list[str], env: dict[str, str], *, stdin: bool = False) -> None:
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own group: ended with its children
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, daemon=True),
            threading.Thread(target=self._read_err, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def _read(self) -> None:
        assert self.popen.stdout is not None
        with contextlib.suppress(ValueError, OSError):
            for line in self.popen.stdout:
                self.out.append(line.rstrip("\n"))
                self.lines.put(line.rstrip("\n"))

    def _read_err(self) -> None:
        assert self.popen.stderr is not None
        with contextlib.suppress(ValueError, OSError):
            for line in self.popen.stderr:
                self.stderr.append(line.rstrip("\n"))

    def send(self, line: str) -> None:
        if self.popen.stdin is not None and self.popen.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self.popen.stdin.write(line + "\n")
                self.popen.stdin.flush()

    def wait(self, timeout: float) -> int | None:
        """The exit code, or None (and the process ended) after ``timeout``."""
        try:
            code = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.end(1)
            return None
        for reader in self._readers:
            reader.join(2)
        return code

    def kill9(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def end(self, grace_s: float = 5.0) -> None:
        """SIGTERM to its group, then SIGKILL after ``grace_s``."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(grace_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
        for pipe in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


class Processes:
    """Every process started through it; ``end_all`` ends them whatever happened."""

    def __init__(self) -> None:
        self.procs: list[Proc] = []
        self._lock = threading.Lock()

    def start(self, args: list[str], env: dict[str, str], *, stdin: bool = False) -> Proc:
        proc = Proc(args, env, stdin=stdin)
        with self._lock:
            self.procs.append(proc)
        return proc

    def app(self, env: dict[str, str], board: str | None, watch: str = "") -> AppProc:
        args = [*DRIVER, "--watch", watch] + (["--board", board] if board else [])
        return AppProc(self.start(args, env, stdin=True))

    def end_all(self) -> None:
        with self._lock:
            procs = list(self.procs)
        for proc in procs:
            proc.end()


@dataclass
class AppProc:
    """A driven app (driver.py) and what it has reported so far."""

    proc: Proc
    events: list[dict[str, Any]] = field(default_factory=list)
    seen_at: dict[str, float] = field(default_factory=dict)
    ready: bool = False
    started_at: float | None = None
    status: str = ""
    statuses: list[tuple[float, str]] = field(default_factory=list)

    def pump(self) -> None:
        while True:
            try:
                line = self.proc.lines.get_nowait()
            except queue.Empty:
                return
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self.events.append(event)
            kind = event.get("event")
            if kind == "ready":
                self.ready = True
            elif kind == "started":
                self.started_at = event["t"]
            elif kind == "seen":
                for name in event["names"]:
                    self.seen_at.setdefault(name, event["t"])
            elif kind == "status":
                self.status = event["text"]
                self.statuses.append((event["t"], event["text"]))

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready:
            self.pump()
            if self.proc.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app never showed its board: {self.proc.stderr[-8:]}")
            time.sleep(0.05)

    def wait_started(self, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while self.started_at is None:
            self.pump()
            if self.proc.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app never started: {self.proc.stderr[-8:]}")
            time.sleep(0.05)
        return self.started_at

    def moved(self) -> list[dict[str, Any]]:
        self.pump()
        return [e for e in self.events if e.get("event") == "moved"]

    def move(self, timeout: float = 10) -> dict[str, Any]:
        """One move (``>``); its report."""
        before = len(self.moved())
        self.proc.send("move")
        deadline = time.monotonic() + timeout
        while len(self.moved()) == before:
            skipped = [e for e in self.events if e.get("event") == "move_skipped"]
            if skipped or time.monotonic() > deadline:
                raise RuntimeError(f"the app made no move: {skipped or self.proc.stderr[-5:]}")
            time.sleep(0.05)
        return self.moved()[-1]

    def screen(self, timeout: float = 5) -> dict[str, Any]:
        """The screen's text and class (``{"text", "screen"}``) as of now."""
        self.pump()
        before = sum(1 for e in self.events if e.get("event") == "screen")
        self.proc.send("screen")
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            shots = [e for e in self.events if e.get("event") == "screen"]
            if len(shots) > before:
                return shots[-1]
            if time.monotonic() > deadline:
                return {"text": "", "screen": "(no answer: the event loop is stuck)"}
            time.sleep(0.05)
