"""credentials.toml and state.toml: 0600 from creation, atomic, env overrides, no secret shown."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from trello_tui import paths
from trello_tui.config import files as config_files
from trello_tui.config.settings import (
    AppState,
    Settings,
    StoredCredentials,
    effective_theme,
    load_credentials,
    load_state,
    remember_theme,
    save_credentials,
    save_state,
)

KEY = "0123456789abcdef0123456789abcdef"
TOKEN = "ATTA" + "f" * 60
SECRET = "s" * 64


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_and_load_round_trip() -> None:
    path = save_credentials(StoredCredentials(api_key=KEY, token=TOKEN, api_secret=SECRET))
    assert path == paths.credentials_file()
    assert mode(path) == 0o600
    loaded = load_credentials()
    assert (loaded.api_key, loaded.token, loaded.api_secret) == (KEY, TOKEN, SECRET)
    assert loaded.token_secret is None
    assert loaded.complete
    assert dict(loaded.sources) == {
        "api_key": "credentials.toml",
        "token": "credentials.toml",
        "api_secret": "credentials.toml",
    }
    assert loaded.problems == ()


def test_file_is_private_from_its_creation(monkeypatch: pytest.MonkeyPatch) -> None:
    """No chmod after the fact: the file is created 0600, even with a permissive umask."""
    created: list[int] = []
    real_mkstemp = config_files.tempfile.mkstemp

    def spy(*args: object, **kwargs: object) -> tuple[int, str]:
        handle, name = real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]
        created.append(stat.S_IMODE(os.fstat(handle).st_mode))
        return handle, name

    monkeypatch.setattr(config_files.tempfile, "mkstemp", spy)
    monkeypatch.setattr(os, "chmod", lambda *a, **k: pytest.fail("chmod must not be needed"))
    old = os.umask(0)
    try:
        path = save_credentials(StoredCredentials(api_key=KEY, token=TOKEN))
    finally:
        os.umask(old)
    assert created == [0o600]
    assert mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["credentials.toml"]  # no temp left


def test_overwriting_a_loose_file_makes_it_private() -> None:
    path = paths.credentials_file()
    path.parent.mkdir(parents=True)
    path.write_text('token = "old"\n')
    path.chmod(0o644)
    assert "readable by other users" in load_credentials().problems[0]
    save_credentials(StoredCredentials(api_key=KEY, token=TOKEN))
    assert mode(path) == 0o600
    assert load_credentials().problems == ()


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    save_credentials(StoredCredentials(api_key=KEY, token=TOKEN, api_url="http://file/1"))
    monkeypatch.setenv("TRELLO_TOKEN", "env-token")
    monkeypatch.setenv("TRELLO_API_SECRET", "env-secret")
    monkeypatch.setenv("TRELLO_API_URL", "http://127.0.0.1:9/1")
    monkeypatch.setenv("TRELLO_API_KEY", "  ")  # blank: ignored
    loaded = load_credentials()
    assert (loaded.api_key, loaded.token, loaded.api_secret) == (KEY, "env-token", "env-secret")
    assert loaded.api_url == "http://127.0.0.1:9/1"
    assert loaded.sources["token"] == "TRELLO_TOKEN"
    assert loaded.sources["api_key"] == "credentials.toml"


def test_environment_alone() -> None:
    loaded = load_credentials(env={"TRELLO_API_KEY": KEY, "TRELLO_TOKEN": TOKEN})
    assert loaded.complete
    assert not paths.credentials_file().exists()


def test_no_credentials() -> None:
    loaded = load_credentials()
    assert not loaded.complete
    assert loaded.for_client() is None
    assert loaded.problems == ()


def test_repr_and_str_never_show_secrets() -> None:
    creds = StoredCredentials(
        api_key=KEY, token=TOKEN, api_secret=SECRET, token_secret="tsecret", api_url="http://x/1"
    )
    for shown in (repr(creds), str(creds), f"{creds}", repr([creds])):
        for secret in (KEY, TOKEN, SECRET, "tsecret"):
            assert secret not in shown
    assert "http://x/1" in repr(creds)
    assert "<redacted>" in repr(creds)


def test_damaged_file_is_reported_without_its_content() -> None:
    path = paths.credentials_file()
    path.parent.mkdir(parents=True)
    path.write_text(f'api_key = "{KEY}"\ntoken = {TOKEN}\n')
    path.chmod(0o600)
    loaded = load_credentials(env={"TRELLO_TOKEN": "from-env"})
    assert loaded.token == "from-env"
    assert loaded.api_key is None
    assert loaded.problems == ("credentials.toml line 2: not valid TOML; ignoring the file",)
    assert all(TOKEN not in p and KEY not in p for p in loaded.problems)


def test_wrong_types_in_the_file_are_reported_without_values() -> None:
    path = paths.credentials_file()
    path.parent.mkdir(parents=True)
    path.write_text('token = 12345\napi_key = ""\ncolour = "x"\n')
    path.chmod(0o600)
    assert load_credentials().problems == (
        "credentials.toml: api_key must be a non-empty string",
        "credentials.toml: token must be a non-empty string",
        "credentials.toml: unknown key colour",
    )


def test_for_client_converts_to_the_api_layer() -> None:
    client = StoredCredentials(api_key=KEY, token=TOKEN, api_secret=SECRET).for_client()
    assert client is not None
    assert (client.key, client.token, client.secret) == (KEY, TOKEN, SECRET)


def test_state_round_trip_is_atomic_and_private() -> None:
    assert load_state() == AppState()
    path = save_state(AppState(last_board_id="b1", theme="nord", theme_base=None))
    assert path == paths.state_file()
    assert mode(path) == 0o600
    assert load_state() == AppState(last_board_id="b1", theme="nord")
    assert [p.name for p in path.parent.iterdir()] == ["state.toml"]


def test_state_keeps_keys_it_does_not_know() -> None:
    path = paths.state_file()
    path.parent.mkdir(parents=True)
    path.write_text('last_board_id = "b1"\nwindow = {split = 3}\nrecent = ["a", "b"]\n')
    state = load_state()
    assert dict(state.extra) == {"window": {"split": 3}, "recent": ["a", "b"]}
    save_state(AppState(last_board_id="b2", extra=state.extra))
    again = load_state()
    assert again.last_board_id == "b2"
    assert dict(again.extra) == dict(state.extra)


def test_damaged_state_reads_as_empty() -> None:
    path = paths.state_file()
    path.parent.mkdir(parents=True)
    path.write_text("last_board_id = \n")
    assert load_state() == AppState()


def test_failed_write_leaves_the_old_file(monkeypatch: pytest.MonkeyPatch) -> None:
    save_state(AppState(last_board_id="old"))

    def broken(*args: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(config_files.os, "replace", broken)
        with pytest.raises(OSError, match="disk full"):
            save_state(AppState(last_board_id="new"))
    assert load_state().last_board_id == "old"
    assert [p.name for p in paths.state_file().parent.iterdir()] == ["state.toml"]


def test_theme_chosen_in_the_app_until_the_config_changes() -> None:
    settings = Settings(theme="nord")
    assert effective_theme(settings, AppState()) == "nord"
    state = remember_theme(AppState(), "dracula", settings)
    assert effective_theme(settings, state) == "dracula"
    save_state(state)
    assert effective_theme(settings, load_state()) == "dracula"
    # The user edits config.toml's theme afterwards: the file wins.
    assert effective_theme(Settings(theme="gruvbox"), load_state()) == "gruvbox"
    assert effective_theme(Settings(), remember_theme(AppState(), "nord", Settings())) == "nord"
