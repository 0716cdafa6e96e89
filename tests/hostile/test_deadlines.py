"""A Trello that drips one byte at a time never times out a request (httpx's timeouts are per
read): ``sync``, ``doctor``, ``watch`` and ``add`` each end within their overall deadline
(``[sync] answer_within_s``) with "Trello did not answer in N s", a non-zero exit code, and
whatever is queued kept."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.capture_cli.helpers import ROOT
from tests.hostile.drip import drip_server
from trello_tui.store.outbox import Outbox
from trello_tui.sync.ops import RenameCard

DEADLINE_S = 2
#: the deadline, plus start-up, the queue's grace for a request on the wire and closing
ENDS_WITHIN_S = DEADLINE_S + 12


def _run(tmp_path: Path, url: str, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    config = tmp_path / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f"[sync]\nanswer_within_s = {DEADLINE_S}\n")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TRELLO_API_KEY": "a" * 32,
        "TRELLO_TOKEN": "b" * 64,
        "TRELLO_API_URL": url,
        "TRELLO_TUI_CACHE_DIR": str(tmp_path / "cache"),
        "TRELLO_TUI_STATE_DIR": str(tmp_path / "state"),
        "TRELLO_TUI_CONFIG_DIR": str(config),
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "trello_tui", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, time.monotonic() - started


@pytest.mark.parametrize(
    "args",
    [
        ("sync",),
        ("sync", "--all"),
        ("doctor",),
        ("watch",),
        ("add", "Dripped capture", "--board", "0123456789abcdef01234567"),
    ],
)
def test_a_dripping_trello_ends_within_the_deadline(tmp_path: Path, args: tuple[str, ...]) -> None:
    with drip_server(interval_s=0.5, lifetime_s=40) as url:
        done, took = _run(tmp_path, url, *args)
    out = done.stdout + done.stderr
    assert took < ENDS_WITHIN_S, f"took {took:.1f} s: {out}"
    assert done.returncode != 0, out
    assert f"Trello did not answer in {DEADLINE_S} s" in out, out
    assert "Traceback" not in out, out


def test_sync_keeps_the_outbox_when_trello_drips(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    outbox = Outbox(tmp_path / "state" / "outbox.sqlite3")
    board, card = "0123456789abcdef01234567", "0123456789abcdef01234568"
    op = RenameCard(board, card_id=card, name="Renamed offline")
    outbox.add(op.op_id, board, op.kind, op.to_json())
    outbox.close()
    with drip_server(interval_s=0.5, lifetime_s=40) as url:
        done, took = _run(tmp_path, url, "sync")
    assert took < ENDS_WITHIN_S and done.returncode == 1, done.stderr
    assert "1 write(s) left in the outbox" in done.stderr
    assert Outbox(tmp_path / "state" / "outbox.sqlite3").count() == 1
