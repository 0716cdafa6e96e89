"""Where trello-tui keeps its files.

Each location comes from platformdirs (so ``XDG_CONFIG_HOME``, ``XDG_CACHE_HOME`` and
``XDG_STATE_HOME`` move them) and can be overridden outright by an environment variable,
which is what the tests use to keep every run in a temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "trello-tui"


def _override(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path(default)


def config_dir() -> Path:
    """Directory of config.toml and credentials.toml (``TRELLO_TUI_CONFIG_DIR``)."""
    return _override(
        "TRELLO_TUI_CONFIG_DIR", PlatformDirs(APP_NAME, appauthor=False).user_config_dir
    )


def cache_dir() -> Path:
    """Directory of the offline cache (``TRELLO_TUI_CACHE_DIR``)."""
    return _override("TRELLO_TUI_CACHE_DIR", PlatformDirs(APP_NAME, appauthor=False).user_cache_dir)


def state_dir() -> Path:
    """Directory of state.toml, the outbox and logs (``TRELLO_TUI_STATE_DIR``)."""
    return _override("TRELLO_TUI_STATE_DIR", PlatformDirs(APP_NAME, appauthor=False).user_state_dir)


def config_file() -> Path:
    return config_dir() / "config.toml"


def credentials_file() -> Path:
    return config_dir() / "credentials.toml"


def state_file() -> Path:
    return state_dir() / "state.toml"


def cache_db() -> Path:
    return cache_dir() / "cache.sqlite3"


def outbox_db() -> Path:
    return state_dir() / "outbox.sqlite3"


def log_file() -> Path:
    return state_dir() / "trello-tui.log"
