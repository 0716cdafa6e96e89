"""Running ``trello-tui add`` (and ``sync``) as the user does: a subprocess whose config, cache,
state and API address all point into a temporary directory and at a loopback sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.world import Board, Card, TList

ROOT = Path(__file__).resolve().parents[2]
BOARD = "Website Relaunch"


@dataclass
class Cli:
    """The environment of one user: their directories, credentials and the API's URL."""

    sb: Sandbox
    home: Path
    url: str

    def env(self, **extra: str) -> dict[str, str]:
        creds = self.sb.credentials
        env = dict(
            os.environ,
            TRELLO_API_KEY=creds.key,
            TRELLO_TOKEN=creds.token,
            TRELLO_API_URL=self.url,
            TRELLO_TUI_CACHE_DIR=str(self.home / "cache"),
            TRELLO_TUI_STATE_DIR=str(self.home / "state"),
            TRELLO_TUI_CONFIG_DIR=str(self.home / "config"),
            TZ="UTC",  # due dates are read in the local zone: make it known
        )
        env.update(extra)
        return env

    def run(
        self, *args: str, stdin: str | None = None, timeout: float = 120, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "trello_tui", *args],
            cwd=ROOT,
            env=self.env(**extra),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        secret = self.sb.credentials.token
        assert secret not in done.stdout + done.stderr, "the token leaked into the output"
        return done

    def add(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return self.run("add", *args, stdin=stdin)

    def write_config(self, text: str) -> None:
        folder = self.home / "config"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.toml").write_text(text, encoding="utf-8")


def board(sb: Sandbox, name: str = BOARD) -> Board:
    return next(b for b in sb.world.boards.values() if b.name == name)


def lists(sb: Sandbox, name: str = BOARD) -> list[TList]:
    return sb.world.sorted_lists(board(sb, name))


def cards_in(sb: Sandbox, lst: TList) -> list[Card]:
    """The open cards of a list, top to bottom."""
    cards = [sb.world.cards[i] for i in lst.card_ids if not sb.world.cards[i].closed]
    return sorted(cards, key=lambda c: (c.pos, c.id))


def named(sb: Sandbox, name: str) -> list[Card]:
    return [c for c in sb.world.cards.values() if c.name == name]


def requests(sb: Sandbox) -> int:
    return int(sb.stats["requests"])
