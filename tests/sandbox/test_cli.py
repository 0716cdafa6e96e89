"""``trello-tui sandbox``: shell-assignable credentials first, then the API on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def sandbox_process(
    *args: str, stop: signal.Signals = signal.SIGINT
) -> Iterator[tuple[dict[str, str], list[str]]]:
    """Start the real command; yield (assignments, first lines); stop it with Ctrl+C."""
    cmd = [sys.executable, "-m", "trello_tui", "sandbox", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        while not any(line.startswith("TRELLO_TOKEN_SAM=") for line in lines):
            line = proc.stdout.readline()
            assert line, f"sandbox exited early: {proc.stderr.read() if proc.stderr else ''}"
            lines.append(line.rstrip("\n"))
        assignments = dict(line.split("=", 1) for line in lines)
        yield assignments, lines
    finally:
        proc.send_signal(stop)
        try:
            code = proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert code == 0, proc.stderr.read() if proc.stderr else code


def test_sandbox_command_prints_credentials_and_serves_demo_boards() -> None:
    with sandbox_process("--seed", "demo") as (env, lines):
        assert lines[0].startswith("TRELLO_API_URL=http://127.0.0.1:")
        assert [line.split("=")[0] for line in lines[:4]] == [
            "TRELLO_API_URL",
            "TRELLO_API_KEY",
            "TRELLO_TOKEN",
            "TRELLO_API_SECRET",
        ]
        assert {"TRELLO_TOKEN_SAM", "TRELLO_TOKEN_JORDAN"} <= set(env)
        url = env["TRELLO_API_URL"]
        # the acceptance check: curl "$TRELLO_API_URL/members/me/boards?key=…&token=…"
        r = httpx.get(
            f"{url}/members/me/boards?key={env['TRELLO_API_KEY']}&token={env['TRELLO_TOKEN']}"
        )
        assert r.status_code == 200
        names = {b["name"] for b in r.json()}
        assert {"Product Roadmap", "Website Relaunch", "Personal"} <= names
        sam = httpx.get(
            f"{url}/members/me",
            params={"key": env["TRELLO_API_KEY"], "token": env["TRELLO_TOKEN_SAM"]},
        )
        assert sam.json()["username"] == "sam"


def test_state_persists_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "world.json"
    with sandbox_process("--seed", "empty", "--state", str(state), stop=signal.SIGTERM) as (env, _):
        auth = {"key": env["TRELLO_API_KEY"], "token": env["TRELLO_TOKEN"]}
        r = httpx.post(f"{env['TRELLO_API_URL']}/boards", params={**auth, "name": "Kept"})
        assert r.status_code == 200, r.text
    assert state.exists() and oct(state.stat().st_mode & 0o777) == "0o600"
    with sandbox_process("--seed", "empty", "--state", str(state)) as (env2, _):
        assert env2["TRELLO_TOKEN"] == env["TRELLO_TOKEN"]
        auth = {"key": env2["TRELLO_API_KEY"], "token": env2["TRELLO_TOKEN"]}
        boards = httpx.get(f"{env2['TRELLO_API_URL']}/members/me/boards", params=auth).json()
        assert [b["name"] for b in boards] == ["Kept"]


def test_faults_at_start_up() -> None:
    with sandbox_process("--seed", "empty", "--faults", "burst_429=1") as (env, _):
        auth = {"key": env["TRELLO_API_KEY"], "token": env["TRELLO_TOKEN"]}
        first = httpx.get(f"{env['TRELLO_API_URL']}/members/me", params=auth)
        second = httpx.get(f"{env['TRELLO_API_URL']}/members/me", params=auth)
        assert (first.status_code, second.status_code) == (429, 200)


def test_bad_seed_is_reported() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "trello_tui", "sandbox", "--seed", "cards:99999"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and "N must be 0..5000" in proc.stderr
