"""Every first-run test gets empty config, state and cache folders and no TRELLO_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CONFIG", "STATE", "CACHE"):
        monkeypatch.setenv(f"TRELLO_TUI_{name}_DIR", str(tmp_path / name.lower()))
    for var in ("TRELLO_API_KEY", "TRELLO_TOKEN", "TRELLO_API_SECRET", "TRELLO_API_URL"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path
