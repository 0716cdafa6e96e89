"""The real ``trello-tui auth`` process, answered on stdin, against a loopback sandbox; then
``trello-tui doctor`` in the same folders passes every check."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from trello_tui.sandbox import Sandbox


def test_auth_on_stdin_then_doctor(live_sandbox: tuple[Sandbox, str], tmp_path: Path) -> None:
    sb, url = live_sandbox
    c = sb.credentials
    page = httpx.post(  # what the user's browser does on the authorize page
        f"{url}/authorize",
        data={
            "key": c.key,
            "name": "trello-tui",
            "scope": "read,write,account",
            "expiration": "never",
            "approve": "Allow",
        },
    )
    found = re.search(r"<pre id='token'>(\w+)</pre>", page.text)
    assert found
    token = found[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRELLO_")}
    for name in ("CONFIG", "STATE", "CACHE"):
        env[f"TRELLO_TUI_{name}_DIR"] = str(tmp_path / name.lower())
    answers = f"{c.key}\nnever\nn\n{token}\n{c.secret}\n"
    done = subprocess.run(
        [sys.executable, "-m", "trello_tui", "auth", "--api-url", url],
        input=answers,
        text=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ Signed in as @alex" in done.stdout
    for secret in (token, c.secret):
        assert secret not in done.stdout and secret not in done.stderr
    saved = tmp_path / "config" / "credentials.toml"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    doctor = subprocess.run(
        [sys.executable, "-m", "trello_tui", "doctor"],
        text=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert doctor.returncode == 0, doctor.stdout
    assert "✓ member: signed in as @alex (Alex Rivera)" in doctor.stdout
    assert "✓ app secret: 64 hex characters" in doctor.stdout
    assert doctor.stdout.rstrip().endswith("All checks passed.")
