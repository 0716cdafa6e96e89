"""`trello-tui config init`'s template: valid, changes nothing, documents every setting."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields

import pytest

from trello_tui import paths
from trello_tui.config.settings import (
    CaptureSettings,
    Settings,
    SyncSettings,
    WebhookSettings,
    config_template,
    load_settings,
    write_config_template,
)


def test_template_as_written_is_all_defaults() -> None:
    path = write_config_template()
    assert path == paths.config_file()
    loaded = load_settings()
    assert loaded.issues == ()
    assert loaded.settings == Settings()


def test_every_line_uncommented_validates_cleanly() -> None:
    text = re.sub(r"(?m)^# (\[|[a-z_.-]+ = )", r"\1", config_template())
    tomllib.loads(text)
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(text)
    loaded = load_settings()
    assert loaded.issues == ()
    s = loaded.settings
    # The uncommented defaults are the real defaults.
    assert s.sync == SyncSettings()
    assert (s.webhooks.port, s.webhooks.bind, s.webhooks.delete_on_exit) == (0, "127.0.0.1", True)
    assert s.compact is False
    assert s.api_url == "https://api.trello.com/1"
    assert len(s.triggers) == 1
    assert len(s.keymap) == 2


def test_template_documents_every_setting() -> None:
    text = config_template()
    for name in ("theme", "compact", "api_url"):
        assert f"# {name} = " in text
    for table, cls in (
        ("sync", SyncSettings),
        ("webhooks", WebhookSettings),
        ("capture", CaptureSettings),
    ):
        assert f"[{table}]" in text
        for field in fields(cls):
            assert f"# {field.name} = " in text, field.name
    for key in ("on", "board", "list", "run"):
        assert f"# {key} = " in text
    assert "[keymap]" in text and "# [[triggers]]" in text


def test_init_never_overwrites() -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text('theme = "mine"\n')
    with pytest.raises(FileExistsError):
        write_config_template()
    assert path.read_text() == 'theme = "mine"\n'
    write_config_template(force=True)
    assert path.read_text() == config_template()
