"""Exit codes and messages that tell the truth: a rejected token or a 429 is never exit 0, a
capture Trello asks us to delay is queued (and said to be) or refused with the code that means
"try again later", and credentials.toml that others can read or change is warned about by
every command that reads it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.capture_cli.helpers import BOARD, Cli, named
from trello_tui.config.settings import load_credentials
from trello_tui.sandbox import Sandbox
from trello_tui.store.outbox import Outbox

FAST = "[sync]\nanswer_within_s = 3\n"


def test_sync_all_on_a_bad_token_or_a_429_is_not_success(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli = Cli(sb, tmp_path, url)
        refused = cli.run("sync", "--all", TRELLO_TOKEN="f" * 64)
        assert refused.returncode == 2, refused.stderr
        assert "trello-tui auth" in refused.stderr
        sb.faults.burst_429 = 1000
        limited = cli.run("sync", "--all")
        assert limited.returncode == 1, limited.stderr
        assert "slow down" in limited.stderr and "try again in a minute" in limited.stderr
        assert "sent shortly" not in limited.stderr
        sb.faults.burst_429 = 0
        fine = cli.run("sync", "--all")
        assert fine.returncode == 0, fine.stderr


def test_add_on_a_429_queues_it_and_says_so_then_sync_sends_it_once(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli = Cli(sb, tmp_path, url)
        cli.write_config(FAST)
        # Cold cache: the board can't be placed, so nothing is queued and the code says
        # "try again later" (75), not "will be sent shortly".
        sb.faults.burst_429 = 1000
        cold = cli.add("Cold capture", "--board", BOARD)
        assert cold.returncode == 75, cold.stderr
        assert "nothing was queued" in cold.stderr and "sent shortly" not in cold.stderr
        sb.faults.burst_429 = 0
        assert cli.add("Warm up", "--board", BOARD).returncode == 0
        # Warm cache: the card is on disk before it is sent; a persistent 429 leaves it
        # queued, the command says so and exits 0 (the capture is safe).
        sb.faults.burst_429 = 1000
        warm = cli.add("Captured during a 429", "--board", BOARD)
        assert warm.returncode == 0, warm.stderr
        assert warm.stdout.startswith("queued: 'Captured during a 429'"), warm.stdout
        assert "slow down" in warm.stdout or "did not answer" in warm.stdout
        assert Outbox(tmp_path / "state" / "outbox.sqlite3").count() == 1
        assert not named(sb, "Captured during a 429")
        sb.faults.burst_429 = 0
        synced = cli.run("sync")
        assert synced.returncode == 0, synced.stderr
        assert cli.run("sync").returncode == 0
    assert len(named(sb, "Captured during a 429")) == 1
    assert not named(sb, "Cold capture")


def _credentials_file(tmp_path: Path, mode: int) -> Path:
    folder = tmp_path / "config"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "credentials.toml"
    path.write_text('api_key = "' + "a" * 32 + '"\n', encoding="utf-8")
    path.chmod(mode)
    return path


def test_every_command_that_reads_credentials_warns_about_a_readable_file(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    path = _credentials_file(tmp_path, 0o644)
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli = Cli(sb, tmp_path, url)
        for args in (("add", "x", "--board", BOARD), ("sync",), ("export", "nothing")):
            done = cli.run(*args)
            warning = f"credentials.toml is readable by other users; run: chmod 600 {path}"
            lines = [line for line in done.stderr.splitlines() if warning in line]
            if args[0] == "export":  # export reads only the cache: no warning
                assert not lines, done.stderr
            else:
                assert len(lines) == 1, done.stderr
            assert "a" * 32 not in done.stdout + done.stderr
        path.chmod(0o600)
        quiet = cli.run("sync")
        assert "warning" not in quiet.stderr, quiet.stderr


def test_a_file_owned_by_another_user_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _credentials_file(tmp_path, 0o600)
    owner = path.stat().st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 1)
    stored = load_credentials(path, env={})
    (problem,) = stored.exposed
    assert f"belongs to another user (uid {owner})" in problem and str(path) in problem
    assert "a" * 32 not in problem
    monkeypatch.undo()
    assert load_credentials(path, env={}).exposed == ()
