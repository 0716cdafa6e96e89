"""150 cards on stdin under Trello's real limits (100 requests / 10 s per token): every card
lands exactly once, in order, and the queue paces the batch so Trello never answers 429.

One test, at the real limits and window (it takes ~10 s: the first ~98 requests fit in the
first window, the rest wait for it to slide)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.capture_cli.helpers import BOARD, Cli, cards_in, lists
from trello_tui.sandbox import Sandbox, SandboxConfig


def test_150_lines_land_150_cards_once_without_a_429(tmp_path: Path) -> None:
    config = SandboxConfig(token_limit=100, key_limit=300, window_s=10.0)
    sb = Sandbox.create(seed="demo", config=config)
    names = [f"Batch card {n:03d}" for n in range(1, 151)]
    before = len(sb.world.cards)
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli = Cli(sb, tmp_path, url)
        started = time.monotonic()
        done = cli.run("add", "-", "--board", BOARD, stdin="\n".join(names) + "\n", timeout=110)
        elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    urls = done.stdout.split()
    assert len(urls) == 150 and all(u.startswith("https://trello.com/c/") for u in urls)
    assert len(sb.world.cards) == before + 150
    created = [c.name for c in sb.world.cards.values() if c.name.startswith("Batch card")]
    assert sorted(created) == names  # each exactly once
    todo = lists(sb)[0]
    in_list = [c.name for c in cards_in(sb, todo) if c.name.startswith("Batch card")]
    assert in_list == names  # each at the bottom, in the order given
    stats = sb.stats
    assert stats["429"] == 0, stats
    assert stats["routes"]["POST /cards"]["requests"] == 150
    # More than a window's worth of requests: the limiter had to pace them.
    assert elapsed > config.window_s, elapsed
