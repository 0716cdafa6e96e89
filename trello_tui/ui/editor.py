"""Editing text in the user's $EDITOR (the app suspends itself around the call)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path


def edit_text(text: str, suffix: str = ".md") -> str | None:
    """Open ``text`` in $VISUAL / $EDITOR (default ``vi``); the edited text, or None on failure.

    Called between ``App.suspend()`` brackets: the terminal belongs to the editor meanwhile.
    """
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="trello-tui-") as folder:
        path = Path(folder) / f"card{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError:
            return None
        if result.returncode != 0:
            return None
        return path.read_text(encoding="utf-8").rstrip("\n")
