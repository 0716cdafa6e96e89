"""``trello-tui sandbox``: serve the sandbox on loopback."""

from __future__ import annotations

import argparse
import sys


def run_from_cli(args: argparse.Namespace) -> int:
    print("trello-tui sandbox: not built yet", file=sys.stderr)
    return 1
