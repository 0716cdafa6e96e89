"""Reading settings must not pull in the UI or the network stack."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import trello_tui.config.settings
trello_tui.config.settings.load_settings()
trello_tui.config.settings.load_credentials()
heavy = [name for name in ("textual", "httpx", "starlette") if name in sys.modules]
print(",".join(heavy) or "none")
"""


def test_config_is_light() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "none"
