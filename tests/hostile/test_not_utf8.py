"""Bytes that are not UTF-8 on the command line or on stdin: a plain message naming them and
the fix, never a traceback, nothing created; the lines that are fine are created exactly once
when the command is run again with the bad bytes fixed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.capture_cli.helpers import BOARD, ROOT, Cli, named
from trello_tui.sandbox import Sandbox
from trello_tui.store.outbox import Outbox


def _run_bytes(cli: Cli, args: list[bytes], stdin: bytes | None = None) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"trello_tui", *args],
        cwd=ROOT,
        env=cli.env(),
        input=stdin,
        capture_output=True,
        timeout=120,
    )
    return done.returncode, (done.stdout + done.stderr).decode("utf-8")


def test_argv_and_stdin_that_are_not_utf8(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli = Cli(sb, tmp_path, url)
        assert cli.add("Warm up", "--board", BOARD).returncode == 0
        before = len(sb.world.cards)

        code, out = _run_bytes(cli, [b"add", b"\xff\xfe name", b"--board", BOARD.encode()])
        assert code == 2, out
        assert "ff fe" in out and "not UTF-8" in out and "iconv" in out, out
        assert "Traceback" not in out

        code, out = _run_bytes(cli, [b"add", b"x", b"--board", b"In\xe9box"])
        assert code == 2 and "--board" in out and "e9" in out, out

        batch = b"First fine line\nCaf\xe9 in Latin-1\nThird fine line\n"
        code, out = _run_bytes(cli, [b"add", b"-", b"--board", BOARD.encode()], stdin=batch)
        assert code == 1, out
        assert "line 2:" in out and "e9" in out and "nothing was created" in out, out
        assert "Traceback" not in out
        assert len(sb.world.cards) == before
        outbox = Outbox(tmp_path / "state" / "outbox.sqlite3")
        assert outbox.count() == 0

        fixed = batch.decode("latin-1").encode("utf-8")
        code, out = _run_bytes(cli, [b"add", b"-", b"--board", BOARD.encode()], stdin=fixed)
        assert code == 0, out
        assert cli.run("sync").returncode == 0
    for name in ("First fine line", "Café in Latin-1", "Third fine line"):
        assert len(named(sb, name)) == 1, name
    assert len(sb.world.cards) == before + 3
