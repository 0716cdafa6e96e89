"""The files trello-tui writes itself: credentials.toml and state.toml, both mode 0600.

Both are written atomically: a temporary file created with mode 0600 from the start (never
chmod-ed afterwards, so a secret is never readable by others even for a moment) in the same
directory, then renamed over the old file. Reading never raises; a damaged file reads as empty
and says why in ``problems``.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import tomli_w

from trello_tui import paths

if TYPE_CHECKING:
    from trello_tui.config.settings import Settings
    from trello_tui.trello.auth import Credentials

ENV_VARS: Final = {
    "api_key": "TRELLO_API_KEY",
    "token": "TRELLO_TOKEN",
    "api_secret": "TRELLO_API_SECRET",
    "api_url": "TRELLO_API_URL",
}
_FIELDS: Final = ("api_key", "token", "api_secret", "token_secret", "api_url")
_SECRET_FIELDS: Final = ("api_key", "token", "api_secret", "token_secret")


def _mask(value: str | None) -> str:
    return "None" if value is None else "'<redacted>'"


@dataclass(frozen=True)
class StoredCredentials:
    """Credentials from credentials.toml with the environment on top. Never shows a secret.

    ``sources`` says where each value came from (``"credentials.toml"`` or the variable's
    name), for ``trello-tui doctor``; ``problems`` lists what was wrong with the file, and
    ``exposed`` those of them that let another user read or change it (every command warns).
    """

    api_key: str | None = None
    token: str | None = None
    api_secret: str | None = None  # the app secret: webhooks and OAuth 1.0a
    token_secret: str | None = None  # OAuth 1.0a access-token secret
    api_url: str | None = None
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple[str, ...] = ()
    exposed: tuple[str, ...] = ()

    def __repr__(self) -> str:
        secrets = ", ".join(f"{name}={_mask(getattr(self, name))}" for name in _SECRET_FIELDS)
        return f"StoredCredentials({secrets}, api_url={self.api_url!r})"

    __str__ = __repr__

    @property
    def complete(self) -> bool:
        """A key and a token: enough to call Trello."""
        return bool(self.api_key and self.token)

    def for_client(self) -> Credentials | None:
        """The API layer's :class:`~trello_tui.trello.auth.Credentials`, when complete."""
        from trello_tui.trello.auth import Credentials

        if not (self.api_key and self.token):
            return None
        return Credentials(
            key=self.api_key,
            token=self.token,
            secret=self.api_secret,
            token_secret=self.token_secret,
        )


def _read_toml(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The table in ``path`` (``{}`` when missing) and what was wrong with it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, []
    except OSError as error:
        return {}, [f"{path.name}: cannot read it ({error.strerror})"]
    try:
        return tomllib.loads(raw.decode("utf-8")), []
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        found = re.search(r"line (\d+)", str(error))
        where = f"{path.name} line {found[1]}" if found else path.name
        return {}, [f"{where}: not valid TOML; ignoring the file"]


def load_credentials(
    path: Path | None = None, env: Mapping[str, str] | None = None
) -> StoredCredentials:
    """credentials.toml overridden by ``TRELLO_API_KEY``, ``TRELLO_TOKEN``,
    ``TRELLO_API_SECRET`` and ``TRELLO_API_URL``. Never raises."""
    path = path or paths.credentials_file()
    env = os.environ if env is None else env
    data, problems = _read_toml(path)
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for name in _FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if isinstance(value, str) and value.strip():
            values[name], sources[name] = value.strip(), path.name
        else:
            # Never echo the value: it may be a secret typed in the wrong place.
            problems.append(f"{path.name}: {name} must be a non-empty string")
    for name in sorted(set(data) - set(_FIELDS)):
        problems.append(f"{path.name}: unknown key {name}")
    for name, var in ENV_VARS.items():
        value = env.get(var, "").strip()
        if value:
            values[name], sources[name] = value, var
    exposed = _exposure(path) if data else []
    problems += exposed
    return StoredCredentials(
        **values,
        sources=MappingProxyType(sources),
        problems=tuple(problems),
        exposed=tuple(exposed),
    )


def _exposure(path: Path) -> list[str]:
    """How another user can read or change the secrets in ``path``, each with its fix."""
    found: list[str] = []
    owner = _owner(path)
    if owner is not None and hasattr(os, "getuid") and owner != os.getuid():
        found.append(
            f"{path.name} belongs to another user (uid {owner}), who can read and change it; "
            f"move it away and run `trello-tui auth` (or, as root: chown $USER {path})"
        )
    if _readable_by_others(path):
        found.append(f"{path.name} is readable by other users; run: chmod 600 {path}")
    return found


def _owner(path: Path) -> int | None:
    try:
        return path.stat().st_uid
    except OSError:
        return None


def _readable_by_others(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


def save_credentials(credentials: StoredCredentials, path: Path | None = None) -> Path:
    """Write the non-empty fields to credentials.toml, mode 0600 from the first byte."""
    path = path or paths.credentials_file()
    data = {name: getattr(credentials, name) for name in _FIELDS if getattr(credentials, name)}
    header = b"# trello-tui credentials: written by `trello-tui auth`. Keep this file private.\n"
    write_private(path, header + tomli_w.dumps(data).encode("utf-8"))
    return path


def write_private(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``; the file is 0600 from its creation."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp opens with O_EXCL and mode 0600, so the secret is never readable by others.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# --- state.toml -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppState:
    """What the app remembers between runs. Keys it does not know survive in ``extra``."""

    last_board_id: str | None = None
    theme: str | None = None  # chosen in the app
    theme_base: str | None = None  # config.toml's theme when that choice was made
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


_STATE_FIELDS: Final = ("last_board_id", "theme", "theme_base")


def load_state(path: Path | None = None) -> AppState:
    """state.toml, or an empty state when it is missing or damaged. Never raises."""
    data, _problems = _read_toml(path or paths.state_file())
    known = {k: v for k, v in data.items() if k in _STATE_FIELDS and isinstance(v, str)}
    extra = {k: v for k, v in data.items() if k not in _STATE_FIELDS}
    return AppState(**known, extra=MappingProxyType(extra))


def save_state(state: AppState, path: Path | None = None) -> Path:
    """Write state.toml atomically with mode 0600 (raises :class:`OSError` on failure)."""
    path = path or paths.state_file()
    data: dict[str, Any] = dict(state.extra)
    for name in _STATE_FIELDS:
        value = getattr(state, name)
        if value is not None:
            data[name] = value
    header = b"# trello-tui state: written by the app; settings belong in config.toml.\n"
    write_private(path, header + tomli_w.dumps(data).encode("utf-8"))
    return path


def remember_theme(state: AppState, theme: str, settings: Settings) -> AppState:
    """The state after the user picks ``theme`` in the app."""
    return replace(state, theme=theme, theme_base=settings.theme)


def effective_theme(settings: Settings, state: AppState) -> str | None:
    """The theme to start with: the one picked in the app, unless config.toml's ``theme`` has
    been changed since (then the file wins, as the user edited it on purpose)."""
    if state.theme and state.theme_base == settings.theme:
        return state.theme
    return settings.theme
