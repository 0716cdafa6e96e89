"""One user's machine: a sandbox on loopback, their folders, and the processes they start."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes.procs import CLI, AppProc, Processes, user_env
from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.world import Card

BOARD = "Website Relaunch"


@dataclass
class Machine:
    sb: Sandbox
    url: str
    home: Path
    procs: Processes

    @property
    def board_id(self) -> str:
        return next(b.id for b in self.sb.world.boards.values() if b.name == BOARD)

    def env(self, url: str | None = None) -> dict[str, str]:
        creds = self.sb.credentials
        return user_env(self.home, url or self.url, creds.key, creds.token)

    def app(self, board: str | None = None, watch: str = "") -> AppProc:
        return self.procs.app(self.env(), board or self.board_id, watch)

    def add(self, name: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """``trello-tui add NAME --board <the board>`` to its end."""
        proc = self.procs.start([*CLI, "add", name, "--board", self.board_id], self.env())
        code = proc.wait(timeout)
        return subprocess.CompletedProcess(
            proc.popen.args, code or 0, "\n".join(proc.out), "\n".join(proc.stderr)
        )

    def named(self, name: str) -> list[Card]:
        return [c for c in self.sb.world.cards.values() if c.name == name and not c.closed]


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    sb = Sandbox.create(seed="demo")
    procs = Processes()
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        try:
            yield Machine(sb, url, tmp_path, procs)
        finally:
            procs.end_all()
