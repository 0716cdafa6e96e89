"""The first-run subcommands through ``trello-tui``'s own argument parser."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trello_tui import paths
from trello_tui.cli import main


def test_config_init_writes_the_template_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "init"]) == 0
    text = paths.config_file().read_text()
    assert "[sync]" in text and "[keymap]" in text
    assert main(["config", "init"]) == 1
    assert "exists; --force replaces it" in capsys.readouterr().err
    paths.config_file().write_text("# mine\n")
    assert main(["config", "init", "--force"]) == 0
    assert "[sync]" in paths.config_file().read_text()


def test_doctor_exits_non_zero_without_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 1
    assert "✗ credentials: none found — fix: run `trello-tui auth`" in capsys.readouterr().out


def test_auth_doctor_and_config_never_load_textual() -> None:
    code = (
        "import sys; from trello_tui.cli import build_parser; build_parser(); "
        "import trello_tui.setup.auth, trello_tui.setup.doctor; "
        "assert 'textual' not in sys.modules, 'textual loaded'; "
        "assert 'oauthlib' not in sys.modules, 'oauthlib loaded eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
