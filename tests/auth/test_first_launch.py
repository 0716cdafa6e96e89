"""First launch: no credentials shows the welcome screen (never a traceback); the demo works
with no account. Driven twice: with Pilot, and as a real process in tmux with an empty HOME."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from trello_tui.sandbox import Sandbox
from trello_tui.ui.screens.welcome import WelcomeApp, WelcomeScreen, missing_lines

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("key", "choice"), [("a", "auth"), ("d", "demo"), ("q", "quit")])
async def test_welcome_screen_offers_auth_and_demo(key: str, choice: str) -> None:
    app = WelcomeApp(missing_lines(True, False, [], "/x/credentials.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        text = str(app.screen.query_one("#intro").render())
        assert "Welcome to trello-tui" in text and "trello-tui auth" in text
        assert "An API key was found but no token." in str(
            app.screen.query_one("#missing").render()
        )
        await pilot.press(key)
        await pilot.pause()
    assert app.return_value == choice


async def test_enter_on_the_focused_button_signs_in() -> None:
    app = WelcomeApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value == "auth"


def tmux_available() -> str:
    found = shutil.which("tmux")
    assert found, "tmux is needed for the first-launch test (apt-get install tmux)"
    return found


@contextmanager
def in_tmux(command: list[str], home: Path, **extra: str) -> Iterator[str]:
    """Run ``command`` in a detached 120x40 tmux session with an empty HOME; yields its name."""
    tmux = tmux_available()
    name = f"ttui-{uuid.uuid4().hex[:8]}"
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "UV_CACHE_DIR")}
    env = {**keep, "HOME": str(home), "TERM": "xterm-256color", "UV_OFFLINE": "1", **extra}
    env.setdefault("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv"))
    # env -i: nothing from this test's environment leaks in (no TRELLO_*, no XDG_*)
    argv = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), *command]
    subprocess.run(
        [
            tmux,
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            str(ROOT),
            subprocess.list2cmdline(argv),
        ],
        check=True,
    )
    try:
        yield name
    finally:
        subprocess.run([tmux, "kill-session", "-t", name], capture_output=True)


def screen_of(name: str) -> str:
    done = subprocess.run(
        [tmux_available(), "capture-pane", "-p", "-t", name], capture_output=True, text=True
    )
    return done.stdout


def wait_for(name: str, *texts: str, timeout: float = 40.0) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen_of(name)
        if all(t in shown for t in texts):
            return shown
        assert "Traceback" not in shown, shown
        time.sleep(0.2)
    raise AssertionError(f"never showed {texts}:\n{shown}")


def uv() -> str:
    found = shutil.which("uv")
    assert found, "uv is needed to run `uv run trello-tui`"
    return found


def test_empty_home_shows_welcome_then_demo_shows_the_board(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with in_tmux([uv(), "run", "trello-tui"], home) as name:
        shown = wait_for(name, "Welcome to trello-tui", "Sign in", "Try the demo")
        assert "Traceback" not in shown
        assert "No credentials yet" in shown
        subprocess.run([tmux_available(), "send-keys", "-t", name, "q"], check=True)
        deadline = time.monotonic() + 10
        while (
            name
            in subprocess.run(
                [tmux_available(), "list-sessions", "-F", "#{session_name}"],
                capture_output=True,
                text=True,
            ).stdout
        ):
            assert time.monotonic() < deadline, "q did not quit the welcome screen"
            time.sleep(0.1)
    with in_tmux([uv(), "run", "trello-tui", "demo", "--teammate", "0"], home) as name:
        # the board itself: its name and its first lists as columns
        shown = wait_for(name, "Product Roadmap", "Backlog", "Next up", "In progress")
        assert "Traceback" not in shown
    # the welcome screen wrote nothing: the user's HOME stays empty of credentials
    assert not list(home.rglob("credentials.toml"))


def send(name: str, *keys: str) -> None:
    subprocess.run([tmux_available(), "send-keys", "-t", name, *keys], check=True)


def test_from_nothing_to_your_boards_through_the_welcome_screen(
    live_sandbox: tuple[Sandbox, str], tmp_path: Path
) -> None:
    """Empty HOME → welcome → a → the auth dialogue in the terminal → the user's boards."""
    sb, url = live_sandbox
    c = sb.credentials
    page = httpx.post(  # the user's browser, on the authorize page
        f"{url}/authorize",
        data={
            "key": c.key,
            "scope": "read,write,account",
            "expiration": "never",
            "name": "trello-tui",
            "approve": "Allow",
        },
    )
    found = re.search(r"<pre id='token'>(\w+)</pre>", page.text)
    assert found
    token = found[1]
    home = tmp_path / "home"
    home.mkdir()
    with in_tmux([uv(), "run", "trello-tui"], home, TRELLO_API_URL=url) as name:
        wait_for(name, "Welcome to trello-tui")
        send(name, "a")
        wait_for(name, "API key:")
        send(name, c.key, "Enter")
        wait_for(name, "How long should the token last?")
        send(name, "never", "Enter")
        wait_for(name, "Open it in your browser now?")
        send(name, "n", "Enter")
        wait_for(name, "Token (input hidden)")
        send(name, token, "Enter")
        shown = wait_for(name, "App secret")
        assert "Signed in as @alex" in shown
        assert token not in shown  # typed without echo
        send(name, "Enter")
        wait_for(name, "Boards", "Product Roadmap", "Website Relaunch")
    saved = list(home.rglob("credentials.toml"))
    assert len(saved) == 1 and stat.S_IMODE(saved[0].stat().st_mode) == 0o600
