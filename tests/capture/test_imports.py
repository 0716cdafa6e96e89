"""Capture must stay light: `trello-tui add` imports it before anything else."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import trello_tui.capture.parse, trello_tui.capture.assist, trello_tui.capture.dates
heavy = [name for name in ("textual", "httpx", "sqlite3", "starlette") if name in sys.modules]
print(",".join(heavy) or "none")
"""


def test_capture_imports_neither_textual_nor_httpx() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "none"
