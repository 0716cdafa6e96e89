"""Entry points from the CLI into the Textual app."""

from __future__ import annotations

import argparse
import sys


def run_demo(args: argparse.Namespace) -> int:
    print("trello-tui demo: not built yet", file=sys.stderr)
    return 1


def run_tui(args: argparse.Namespace) -> int:
    print("trello-tui: not built yet", file=sys.stderr)
    return 1
