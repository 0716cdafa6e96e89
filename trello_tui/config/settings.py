"""Settings from config.toml: read-only, validated, never an exception.

trello-tui never writes the user's config.toml (``trello-tui config init`` writes the
template once, only when there is no file). Every problem becomes a :class:`ConfigIssue`
naming the file, the line and the key — ``config.toml line 7: [sync] poll_active_s must be a
number of seconds, got "fast"`` — and the default is used for that setting alone; a file that
is not TOML at all gives one issue and every default.

Credentials (credentials.toml) and what the app changes itself (state.toml) live in
:mod:`trello_tui.config.files`; they are re-exported here so callers import one module.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

from trello_tui import paths
from trello_tui.config.files import (
    AppState,
    StoredCredentials,
    effective_theme,
    load_credentials,
    load_state,
    remember_theme,
    save_credentials,
    save_state,
)
from trello_tui.config.keys import LineIndex, key_problem
from trello_tui.config.template import config_template

__all__ = [
    "DEFAULT_API_URL",
    "TRIGGER_EVENTS",
    "AppState",
    "CaptureSettings",
    "ConfigIssue",
    "LoadedSettings",
    "Settings",
    "StoredCredentials",
    "SyncSettings",
    "Trigger",
    "WebhookSettings",
    "config_template",
    "effective_theme",
    "load_credentials",
    "load_settings",
    "load_state",
    "remember_theme",
    "resolve_api_url",
    "save_credentials",
    "save_state",
    "write_config_template",
]

DEFAULT_API_URL: Final = "https://api.trello.com/1"
TRIGGER_EVENTS: Final = (
    "card_created",
    "card_moved",
    "card_assigned",
    "card_archived",
    "card_due_soon",
    "comment_added",
    "mentioned",
)


@dataclass(frozen=True)
class SyncSettings:
    poll_active_s: float = 10.0
    poll_idle_s: float = 60.0
    full_refresh_s: float = 900.0
    #: how long a command waits for Trello's answer before it carries on without it
    answer_within_s: float = 30.0
    #: after how long without an answer the app says "Trello is slow (N s)"
    slow_after_s: float = 5.0


@dataclass(frozen=True)
class WebhookSettings:
    public_url: str | None = None
    tunnel_command: tuple[str, ...] = ()
    port: int = 0  # 0: any free port
    bind: str = "127.0.0.1"
    delete_on_exit: bool = True

    @property
    def enabled(self) -> bool:
        return bool(self.public_url or self.tunnel_command)


@dataclass(frozen=True)
class CaptureSettings:
    board: str | None = None
    list: str | None = None


@dataclass(frozen=True)
class Trigger:
    """``[[triggers]]``: run ``run`` (an argv, never a shell string) when ``on`` happens."""

    on: str
    run: tuple[str, ...]
    board: str | None = None
    list: str | None = None
    label: str | None = None
    member: str | None = None
    line: int | None = None  # where it starts in config.toml, for reports


@dataclass(frozen=True)
class Settings:
    theme: str | None = None  # None: the app's default theme
    compact: bool = False
    api_url: str | None = None  # None: credentials/env, else DEFAULT_API_URL
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    sync: SyncSettings = SyncSettings()
    webhooks: WebhookSettings = WebhookSettings()
    capture: CaptureSettings = CaptureSettings()
    triggers: tuple[Trigger, ...] = ()


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a settings file; ``str()`` is the line to show the user."""

    message: str
    key: str = ""  # dotted, e.g. "sync.poll_active_s"
    line: int | None = None
    file: str = "config.toml"

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    issues: tuple[ConfigIssue, ...]
    path: Path
    exists: bool


def _close_matches(word: str, options: list[str], n: int) -> list[str]:
    import difflib  # only when there is a mistake to explain

    return difflib.get_close_matches(word, options, n=n)


class _Bad(Exception):
    """A value of the wrong shape; the text completes "<key> must be ..."."""


def _show(value: object) -> str:
    """A value as the user wrote it in TOML, for "got ..." (short)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, list):
        text = "a list" if len(value) > 4 else json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _string(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad("must be a non-empty string")
    return value.strip()


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Bad("must be true or false")
    return value


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad("must be a number of seconds")
    if not 1 <= value <= 86_400:
        raise _Bad("must be between 1 and 86400 seconds")
    return float(value)


def _port(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise _Bad("must be a port number from 0 to 65535 (0 picks a free one)")
    return value


def _url(value: object) -> str:
    text = _string(value)
    if not re.match(r"^https?://[^\s/]+", text):
        raise _Bad("must be an http:// or https:// URL")
    return text.rstrip("/")


def _argv(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(a, str) for a in value):
        raise _Bad('must be a list of strings, e.g. ["notify-send", "Card moved"]')
    if not value[0].strip():
        raise _Bad("must start with the program to run")
    return tuple(value)


def _command(value: object) -> tuple[str, ...]:
    """A tunnel command: a list of strings, or one string split like a shell would."""
    if isinstance(value, str):
        try:
            words = shlex.split(value)
        except ValueError as error:
            raise _Bad(f"must be a command line ({error})") from None
        if not words:
            raise _Bad("must be a command line")
        return tuple(words)
    return _argv(value)


Check = Callable[[object], object]
_TABLES: Final[dict[str, dict[str, Check]]] = {
    "": {"theme": _string, "compact": _bool, "api_url": _url},
    "sync": {
        "poll_active_s": _seconds,
        "poll_idle_s": _seconds,
        "full_refresh_s": _seconds,
        "answer_within_s": _seconds,
        "slow_after_s": _seconds,
    },
    "webhooks": {
        "public_url": _url,
        "tunnel_command": _command,
        "port": _port,
        "bind": _string,
        "delete_on_exit": _bool,
    },
    "capture": {"board": _string, "list": _string},
}
_TRIGGER_KEYS: Final[dict[str, Check]] = {
    "on": _string,
    "run": _argv,
    "board": _string,
    "list": _string,
    "label": _string,
    "member": _string,
}


class _Reader:
    """Validates a parsed document, collecting issues with their lines."""

    def __init__(self, text: str, file: str) -> None:
        self.index = LineIndex(text)
        self.file = file
        self.issues: list[ConfigIssue] = []

    def issue(self, table: str, key: str | None, message: str, occurrence: int = 0) -> None:
        line = self.index.line(table, key, occurrence)
        dotted = ".".join(filter(None, [table, key]))
        self.issues.append(ConfigIssue(message, dotted, line, self.file))

    def table(
        self, name: str, data: Mapping[str, object], occurrence: int = 0
    ) -> dict[str, object]:
        checks = _TABLES.get(name, _TRIGGER_KEYS if name == "triggers" else {})
        label = "[[triggers]] " if name == "triggers" else f"[{name}] " if name else ""
        good: dict[str, object] = {}
        for key, value in data.items():
            check = checks.get(key)
            if check is None:
                known = list(checks) + (list(_SECTIONS) if not name else [])
                close = _close_matches(key, known, n=1)
                hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(known)})"
                what = "table" if isinstance(value, dict) else "key"
                shown = f"[{key}]" if what == "table" and not name else f"{label}{key}"
                self.issue(name, key, f"unknown {what} {shown}{hint}", occurrence)
                continue
            try:
                good[key] = check(value)
            except _Bad as bad:
                self.issue(name, key, f"{label}{key} {bad}, got {_show(value)}", occurrence)
        return good


_SECTIONS: Final = ("sync", "webhooks", "capture", "keymap", "triggers")


def _flatten(data: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """``card.move-right = "x"`` arrives as nested tables; binding ids are the dotted path."""
    flat: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _keymap(
    reader: _Reader, data: Mapping[str, object], binding_ids: Collection[str] | None
) -> dict[str, str]:
    keymap: dict[str, str] = {}
    for binding_id, value in _flatten(data).items():
        if binding_ids is not None and binding_id not in binding_ids:
            close = _close_matches(binding_id, list(binding_ids), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            reader.issue("keymap", binding_id, f"[keymap] {binding_id} is not a binding{hint}")
            continue
        if isinstance(value, list) and all(isinstance(k, str) for k in value):
            keys = ",".join(value)
        elif isinstance(value, str):
            keys = value
        else:
            message = f'[keymap] {binding_id} must be keys like "ctrl+s,f5", got {_show(value)}'
            reader.issue("keymap", binding_id, message)
            continue
        problems = [p for p in (key_problem(k.strip()) for k in keys.split(",")) if p]
        if problems:
            reader.issue("keymap", binding_id, f"[keymap] {binding_id}: {problems[0]}")
            continue
        keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
    return keymap


def _triggers(reader: _Reader, value: object, events: Collection[str] | None) -> list[Trigger]:
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        reader.issue("", "triggers", "triggers must be [[triggers]] tables")
        return []
    triggers: list[Trigger] = []
    for occurrence, entry in enumerate(value):
        before = len(reader.issues)
        good = reader.table("triggers", entry, occurrence)
        for required in ("on", "run"):
            if required not in entry:
                reader.issue("triggers", None, f"[[triggers]] needs {required} =", occurrence)
        on = good.get("on")
        if isinstance(on, str) and events is not None and on not in events:
            message = f"[[triggers]] on must be one of {', '.join(events)}, got {_show(on)}"
            reader.issue("triggers", "on", message, occurrence)
        if len(reader.issues) > before:
            continue  # a trigger with any problem does not run at all
        triggers.append(
            Trigger(line=reader.index.line("triggers", None, occurrence), **good)  # type: ignore[arg-type]
        )
    return triggers


def load_settings(
    path: Path | None = None,
    *,
    binding_ids: Collection[str] | None = None,
    themes: Collection[str] | None = None,
    trigger_events: Collection[str] | None = TRIGGER_EVENTS,
) -> LoadedSettings:
    """Read config.toml (default: :func:`paths.config_file`). Never raises.

    ``binding_ids`` and ``themes``, when given, are the names the app knows; entries naming
    anything else are reported. A missing file is not an error.
    """
    path = path or paths.config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadedSettings(Settings(), (), path, False)
    except OSError as error:
        issue = ConfigIssue(f"cannot read it ({error.strerror}); using defaults", file=path.name)
        return LoadedSettings(Settings(), (issue,), path, True)
    return parse_settings(raw, path, binding_ids=binding_ids, themes=themes, events=trigger_events)


def parse_settings(
    raw: bytes,
    path: Path,
    *,
    binding_ids: Collection[str] | None = None,
    themes: Collection[str] | None = None,
    events: Collection[str] | None = TRIGGER_EVENTS,
) -> LoadedSettings:
    """Validate the bytes of a config file (see :func:`load_settings`)."""
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        issue = ConfigIssue("is not UTF-8 text; using defaults", line=line, file=path.name)
        return LoadedSettings(Settings(), (issue,), path, True)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = int(found[1]) if found else text.count("\n") + 1
        reason = re.sub(r"\s*\(at [^)]*\)", "", str(error))
        issue = ConfigIssue(f"not valid TOML: {reason}; using defaults", line=line, file=path.name)
        return LoadedSettings(Settings(), (issue,), path, True)
    reader = _Reader(text, path.name)
    top = reader.table("", {k: v for k, v in data.items() if k not in _SECTIONS})
    if themes is not None and "theme" in top and top["theme"] not in themes:
        message = f"theme must be one of {', '.join(sorted(themes))}, got {_show(top['theme'])}"
        reader.issue("", "theme", message)
        del top["theme"]
    sections: dict[str, dict[str, object]] = {}
    for name in ("sync", "webhooks", "capture"):
        value = data.get(name, {})
        if isinstance(value, dict):
            sections[name] = reader.table(name, value)
        else:
            reader.issue("", name, f"{name} must be a [{name}] table, got {_show(value)}")
            sections[name] = {}
    keymap_data = data.get("keymap", {})
    if not isinstance(keymap_data, dict):
        reader.issue("", "keymap", f"keymap must be a [keymap] table, got {_show(keymap_data)}")
        keymap_data = {}
    settings = Settings(
        keymap=MappingProxyType(_keymap(reader, keymap_data, binding_ids)),
        sync=SyncSettings(**sections["sync"]),  # type: ignore[arg-type]
        webhooks=WebhookSettings(**sections["webhooks"]),  # type: ignore[arg-type]
        capture=CaptureSettings(**sections["capture"]),  # type: ignore[arg-type]
        triggers=tuple(_triggers(reader, data["triggers"], events) if "triggers" in data else ()),
        **top,  # type: ignore[arg-type]
    )
    issues = sorted(reader.issues, key=lambda i: i.line or 0)
    return LoadedSettings(settings, tuple(issues), path, True)


def resolve_api_url(settings: Settings, credentials: StoredCredentials) -> str:
    """The API root: ``TRELLO_API_URL`` or credentials.toml, then config.toml, then Trello."""
    return (credentials.api_url or settings.api_url or DEFAULT_API_URL).rstrip("/")


def write_config_template(path: Path | None = None, *, force: bool = False) -> Path:
    """``trello-tui config init``: write the commented template; never over an existing file
    unless ``force`` (raises :class:`FileExistsError`)."""
    path = path or paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w" if force else "x", encoding="utf-8") as handle:
        handle.write(config_template())
    return path
