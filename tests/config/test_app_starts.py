"""Issue 8's acceptance: config mistakes are named with key and line, and the app still starts."""

from __future__ import annotations

from trello_tui import paths
from trello_tui.config.settings import load_settings
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.commands import BY_ID

BAD_CONFIG = """\
theme = "textual-dark"
colours = "loud"

[sync]
poll_active_s = "fast"

[keymap]
refresh = "r,f5"
help = "ctrl+Enter"
"""


async def test_app_starts_with_defaults_despite_config_errors() -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(BAD_CONFIG)
    loaded = load_settings(binding_ids=set(BY_ID))
    assert [str(issue) for issue in loaded.issues] == [
        "config.toml line 2: unknown key colours (known: theme, compact, api_url, sync, "
        "webhooks, capture, keymap, triggers)",
        'config.toml line 5: [sync] poll_active_s must be a number of seconds, got "fast"',
        'config.toml line 9: [keymap] help: "ctrl+Enter": key names are lower case (enter)',
    ]
    settings = loaded.settings
    assert settings.sync.poll_active_s == 10.0  # the default
    assert dict(settings.keymap) == {"refresh": "r,f5"}  # the good entry is kept

    app = TrelloApp(keymap=settings.keymap)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.is_running
        assert app.screen is not None
