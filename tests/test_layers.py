"""The layers below the UI must never load Textual: the capture CLI has to start fast."""

import subprocess
import sys

PACKAGES = (
    "trello_tui.trello",
    "trello_tui.store",
    "trello_tui.sync",
    "trello_tui.sandbox",
    "trello_tui.config",
    "trello_tui.capture",
    "trello_tui.automation",
    "trello_tui.live",
    "trello_tui.setup",
    "trello_tui.export",
)
MODULES = ("trello_tui.cli", "trello_tui.paths")

CHECK = f"""
import importlib, importlib.util, pkgutil, sys
for name in {PACKAGES!r}:
    pkg = importlib.import_module(name)
    for info in pkgutil.walk_packages(pkg.__path__, name + "."):
        importlib.import_module(info.name)
for name in {MODULES!r}:
    if importlib.util.find_spec(name) is not None:
        importlib.import_module(name)
print("textual" in sys.modules)
"""


def test_layers_below_ui_do_not_import_textual() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
