"""Every config test runs with its own config and state directories."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    config_dir, state_dir = tmp_path / "config", tmp_path / "state"
    monkeypatch.setenv("TRELLO_TUI_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("TRELLO_TUI_STATE_DIR", str(state_dir))
    for var in ("TRELLO_API_KEY", "TRELLO_TOKEN", "TRELLO_API_SECRET", "TRELLO_API_URL"):
        monkeypatch.delenv(var, raising=False)
    return config_dir, state_dir
