"""config.toml: values read, every mistake named with its key and line, defaults otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from trello_tui import paths
from trello_tui.config.settings import (
    DEFAULT_API_URL,
    Settings,
    StoredCredentials,
    SyncSettings,
    Trigger,
    load_settings,
    resolve_api_url,
)

BINDINGS = {"card.move-right", "card.move-left", "refresh", "help", "focus.left"}


def write(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def messages(text: str, **kwargs: object) -> list[str]:
    write(text)
    return [str(issue) for issue in load_settings(**kwargs).issues]  # type: ignore[arg-type]


def test_missing_file_gives_defaults_and_no_issue() -> None:
    loaded = load_settings()
    assert loaded.settings == Settings()
    assert loaded.issues == ()
    assert not loaded.exists
    assert loaded.path == paths.config_file()


def test_every_documented_setting_is_read() -> None:
    write(
        """
theme = "nord"
compact = true
api_url = "http://127.0.0.1:8080/1/"

[sync]
poll_active_s = 5
poll_idle_s = 120.5
full_refresh_s = 600
slow_after_s = 2.5

[webhooks]
public_url = "https://hooks.example.com"
tunnel_command = "cloudflared tunnel --url 'http://127.0.0.1:8765'"
port = 8765
bind = "0.0.0.0"
delete_on_exit = false

[capture]
board = "Work"
list = "Inbox"

[keymap]
card.move-right = "ctrl+right,greater_than_sign"
"card.move-left" = ["ctrl+left", "<"]
help = "f1"

[[triggers]]
on = "card_moved"
list = "Done"
run = ["notify-send", "Card done"]

[[triggers]]
on = "mentioned"
board = "Work"
label = "urgent"
member = "alice"
run = ["say", "you were mentioned"]
"""
    )
    loaded = load_settings(binding_ids=BINDINGS, themes={"nord", "textual-dark"})
    assert loaded.issues == ()
    s = loaded.settings
    assert (s.theme, s.compact, s.api_url) == ("nord", True, "http://127.0.0.1:8080/1")
    assert s.sync == SyncSettings(5.0, 120.5, 600.0, slow_after_s=2.5)
    assert s.webhooks.public_url == "https://hooks.example.com"
    assert s.webhooks.tunnel_command == ("cloudflared", "tunnel", "--url", "http://127.0.0.1:8765")
    assert (s.webhooks.port, s.webhooks.bind, s.webhooks.delete_on_exit) == (8765, "0.0.0.0", False)
    assert s.webhooks.enabled
    assert (s.capture.board, s.capture.list) == ("Work", "Inbox")
    assert dict(s.keymap) == {
        "card.move-right": "ctrl+right,greater_than_sign",
        "card.move-left": "ctrl+left,<",
        "help": "f1",
    }
    assert s.triggers == (
        Trigger("card_moved", ("notify-send", "Card done"), list="Done", line=28),
        Trigger(
            "mentioned",
            ("say", "you were mentioned"),
            board="Work",
            label="urgent",
            member="alice",
            line=33,
        ),
    )


def test_wrong_type_names_key_and_line() -> None:
    text = """# my settings
theme = "nord"

[sync]
poll_idle_s = 30

poll_active_s = "fast"
"""
    assert messages(text) == [
        'config.toml line 7: [sync] poll_active_s must be a number of seconds, got "fast"'
    ]
    loaded = load_settings()
    assert loaded.settings.sync == SyncSettings(poll_active_s=10.0, poll_idle_s=30.0)
    assert loaded.settings.theme == "nord"  # the rest of the file still counts


def test_unknown_keys_and_tables() -> None:
    text = """thme = "nord"
[sync]
poll_activ_s = 3
[webhook]
port = 1
"""
    assert messages(text) == [
        "config.toml line 1: unknown key thme; did you mean theme?",
        "config.toml line 3: unknown key [sync] poll_activ_s; did you mean poll_active_s?",
        "config.toml line 4: unknown table [webhook]; did you mean webhooks?",
    ]


def test_bad_keymap_entries() -> None:
    text = """[keymap]
refresh = "r,f5"
card.move-right = "ctrl+rigth"
help = "ctrl+Enter"
focus.left = "hyperdrive+x"
"card.move-left" = "a b"
card.teleport = "t"
"""
    assert messages(text, binding_ids=BINDINGS) == [
        'config.toml line 3: [keymap] card.move-right: "rigth" is not a key name '
        "(try a character, enter, escape, f5, question_mark)",
        'config.toml line 4: [keymap] help: "ctrl+Enter": key names are lower case (enter)',
        'config.toml line 5: [keymap] focus.left: "hyperdrive" in "hyperdrive+x" is not a '
        "modifier (alt, ctrl, hyper, meta, shift, super)",
        'config.toml line 6: [keymap] card.move-left: "a b" contains a space '
        "(write space, or separate keys with commas)",
        "config.toml line 7: [keymap] card.teleport is not a binding; did you mean card.move-left?",
    ]
    assert dict(load_settings(binding_ids=BINDINGS).settings.keymap) == {"refresh": "r,f5"}


def test_keymap_without_known_ids_checks_keys_only() -> None:
    write('[keymap]\nanything = "ctrl+s"\nother = 3\n')
    loaded = load_settings()
    assert dict(loaded.settings.keymap) == {"anything": "ctrl+s"}
    assert [str(i) for i in loaded.issues] == [
        'config.toml line 3: [keymap] other must be keys like "ctrl+s,f5", got 3'
    ]


def test_bad_triggers_are_dropped_whole() -> None:
    text = """[[triggers]]
on = "card_moved"
run = ["true"]

[[triggers]]
on = "card_teleported"
run = "rm -rf /"

[[triggers]]
list = "Done"
"""
    assert messages(text) == [
        "config.toml line 6: [[triggers]] on must be one of card_created, card_moved, "
        "card_assigned, card_archived, card_due_soon, comment_added, mentioned, "
        'got "card_teleported"',
        """config.toml line 7: [[triggers]] run must be a list of strings, e.g. ["notify-send", """
        '''"Card moved"], got "rm -rf /"''',
        "config.toml line 9: [[triggers]] needs on =",
        "config.toml line 9: [[triggers]] needs run =",
    ]
    assert load_settings().settings.triggers == (Trigger("card_moved", ("true",), line=1),)


def test_trigger_events_are_the_callers_choice() -> None:
    write('[[triggers]]\non = "card_teleported"\nrun = ["true"]\n')
    assert load_settings(trigger_events=None).issues == ()
    assert load_settings(trigger_events={"card_teleported"}).issues == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("compact = 1", "config.toml line 1: compact must be true or false, got 1"),
        (
            "api_url = 'ftp://x'",
            'config.toml line 1: api_url must be an http:// or https:// URL, got "ftp://x"',
        ),
        ("theme = ''", 'config.toml line 1: theme must be a non-empty string, got ""'),
        (
            "[sync]\nfull_refresh_s = true",
            "config.toml line 2: [sync] full_refresh_s must be a number of seconds, got true",
        ),
        (
            "[sync]\npoll_idle_s = 0",
            "config.toml line 2: [sync] poll_idle_s must be between 1 and 86400 seconds, got 0",
        ),
        (
            "[webhooks]\nport = -1",
            "config.toml line 2: [webhooks] port must be a port number from 0 to 65535 "
            "(0 picks a free one), got -1",
        ),
        (
            "[webhooks]\ntunnel_command = []",
            "config.toml line 2: [webhooks] tunnel_command must be a list of strings, "
            'e.g. ["notify-send", "Card moved"], got []',
        ),
        (
            '[webhooks]\ntunnel_command = "x \'y"',
            "config.toml line 2: [webhooks] tunnel_command must be a command line "
            '(No closing quotation), got "x \'y"',
        ),
        (
            "[capture]\nboard = 5",
            "config.toml line 2: [capture] board must be a non-empty string, got 5",
        ),
        ("sync = 5", "config.toml line 1: sync must be a [sync] table, got 5"),
        ("keymap = []", "config.toml line 1: keymap must be a [keymap] table, got []"),
        ("triggers = 1", "config.toml line 1: triggers must be [[triggers]] tables"),
        (
            "sync = {poll_active_s = 'x'}",
            'config.toml line 1: [sync] poll_active_s must be a number of seconds, got "x"',
        ),
    ],
)
def test_wrong_types(text: str, expected: str) -> None:
    assert messages(text) == [expected]


def test_theme_checked_against_known_themes() -> None:
    assert messages('theme = "neon"', themes={"nord", "dracula"}) == [
        'config.toml line 1: theme must be one of dracula, nord, got "neon"'
    ]
    assert load_settings(themes={"nord"}).settings.theme is None


def test_corrupt_toml_is_one_issue_with_its_line_and_all_defaults() -> None:
    write('theme = "nord"\ncompact = true\n[sync\npoll_active_s = 3\n')
    loaded = load_settings()
    assert loaded.settings == Settings()
    (issue,) = loaded.issues
    assert issue.line == 3
    assert str(issue).startswith("config.toml line 3: not valid TOML: ")
    assert str(issue).endswith("; using defaults")


def test_not_utf8() -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'theme = "nord"\n# caf\xe9\n')
    (issue,) = load_settings().issues
    assert str(issue) == "config.toml line 2: is not UTF-8 text; using defaults"


def test_unreadable_file(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path)  # a directory
    assert loaded.settings == Settings()
    assert len(loaded.issues) == 1
    assert "cannot read it" in str(loaded.issues[0])


def test_line_finder_ignores_multiline_strings_and_comments() -> None:
    text = '''# poll_active_s = "in a comment"
theme = """
poll_active_s = "inside a string"
"""
[sync]
# poll_active_s = 1
poll_active_s = "fast"
'''
    assert messages(text) == [
        'config.toml line 7: [sync] poll_active_s must be a number of seconds, got "fast"'
    ]


def test_the_file_is_never_written() -> None:
    path = write('theme = 3\n[sync]\npoll_active_s = "fast"\n')
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load_settings()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_api_url_precedence() -> None:
    settings = Settings(api_url="http://config/1")
    assert resolve_api_url(Settings(), StoredCredentials()) == DEFAULT_API_URL
    assert resolve_api_url(settings, StoredCredentials()) == "http://config/1"
    assert resolve_api_url(settings, StoredCredentials(api_url="http://env/1/")) == "http://env/1"
