"""The public URL Trello posts to: a fixed one from config, or the user's tunnel command.

``[webhooks] tunnel_command`` (a list of arguments, or a string split with ``shlex``) is run
as an argv, never through a shell, after ``{local_url}`` and ``{port}`` are substituted in
each argument. Tunnels announce their URL in different ways, so both stdout and stderr are
read line by line and the first plausible public URL wins:

- cloudflared prints it inside a box on stderr, after a banner that links to its docs;
- ``ngrok http {port} --log stdout`` logs ``url=https://….ngrok-free.app``;
- tailscale funnel, localhost.run, serveo and localtunnel print it on a line of prose.

"Plausible" means: http(s), no path beyond ``/`` (documentation links have paths), not the
local URL itself, and not a known documentation or dashboard host. ``url_pattern`` (a regex
with one group) overrides the guess for anything unusual.

The process is watched: when it exits, listeners hear ``None`` at once, and it is restarted
with exponential backoff; a restarted quick tunnel usually has a new URL, which listeners hear
too. Output keeps being drained after the URL is found (a full pipe would stall the tunnel).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import re
import shlex
import signal
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from trello_tui import children

log = logging.getLogger("trello_tui.tunnel")

UrlListener = Callable[[str | None], None]

_URL = re.compile(r"https?://[^\s|\"'<>\[\]{}()`,;]+", re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # colours, when a tool colours a pipe anyway
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"})
# Hosts tunnels link to in their banners; never the tunnel itself.
_NOT_TUNNELS = frozenset(
    {
        "developers.cloudflare.com",
        "www.cloudflare.com",
        "cloudflare.com",
        "github.com",
        "ngrok.com",
        "dashboard.ngrok.com",
        "admin.localhost.run",
        "localhost.run",
        "tailscale.com",
        "login.tailscale.com",
    }
)


class TunnelError(Exception):
    """The tunnel could not give us a URL; the message says what the user can do."""


def expand_command(command: str | Sequence[str], local_url: str, port: int) -> list[str]:
    """``tunnel_command`` (a string or an argv list) as an argv, placeholders filled in per
    argument: no shell, no ``str.format`` (braces elsewhere in an argument stay as they are)."""
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise TunnelError(
                f"tunnel_command cannot be parsed ({exc}); check its quotes"
            ) from None
    else:
        argv = [str(arg) for arg in command]
    if not argv:
        raise TunnelError("tunnel_command is empty")
    return [arg.replace("{local_url}", local_url).replace("{port}", str(port)) for arg in argv]


def find_public_url(
    line: str, local_url: str, pattern: re.Pattern[str] | None = None
) -> str | None:
    """The public URL announced on this line of tunnel output, if any."""
    line = _ANSI.sub("", line)
    if pattern is not None:
        match = pattern.search(line)
        return match.group(1) if match and match.groups() else (match.group(0) if match else None)
    local = urlsplit(local_url)
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(".")
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host or host in _NOT_TUNNELS or parts.path not in ("", "/"):
            continue
        if parts.query or parts.fragment:
            continue
        if host in _LOCAL_HOSTS and parts.port == local.port:
            continue  # the tunnel repeating where it forwards to
        return url.rstrip("/")
    return None


class FixedUrl:
    """``[webhooks] public_url``: the user runs the tunnel (or a reverse proxy) themselves."""

    def __init__(self, url: str) -> None:
        self.url: str | None = url.rstrip("/")
        self._listeners: list[UrlListener] = []

    def listen(self, listener: UrlListener) -> None:
        self._listeners.append(listener)

    @property
    def alive(self) -> bool:
        return True

    @property
    def running(self) -> bool:
        return True

    async def start(self) -> str:
        assert self.url is not None
        return self.url

    async def stop(self) -> None:
        return None


class Tunnel:
    """Runs ``tunnel_command``, reads its public URL, restarts it when it dies, stops it on exit."""

    def __init__(
        self,
        command: str | Sequence[str],
        local_url: str,
        port: int,
        *,
        start_timeout: float = 30.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        stable_after: float = 30.0,
        url_pattern: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.argv = expand_command(command, local_url, port)
        self.local_url = local_url
        self.start_timeout = start_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self._pattern = re.compile(url_pattern) if url_pattern else None
        self._env = env
        self.url: str | None = None
        self.restarts = 0
        self.last_error: str | None = None
        self._listeners: list[UrlListener] = []
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._first_url: asyncio.Future[str] | None = None
        self._tail: collections.deque[str] = collections.deque(maxlen=8)
        self._stopping = False
        #: the group we started and have not ended yet (children.py)
        self._owned: int | None = None

    def __repr__(self) -> str:
        return f"Tunnel(program={self.argv[0]!r}, url={self.url!r})"

    def listen(self, listener: UrlListener) -> None:
        """Called with the new URL when the tunnel comes up, and with None when it goes down."""
        self._listeners.append(listener)

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def running(self) -> bool:
        """True while supervised (alive, or waiting to restart); False once it gave up."""
        return self._supervisor is not None and not self._supervisor.done()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def start(self) -> str:
        """Start the supervisor and wait for the first URL (TunnelError if none comes)."""
        if self._supervisor is None:
            self._stopping = False
            self._first_url = asyncio.get_running_loop().create_future()
            self._supervisor = asyncio.create_task(self._supervise(), name="tunnel")
        assert self._first_url is not None
        try:
            return await asyncio.wait_for(asyncio.shield(self._first_url), self.start_timeout)
        except TunnelError:
            await self.stop()
            raise
        except TimeoutError:
            await self.stop()
            raise TunnelError(
                f"{self.argv[0]} printed no public URL within {self.start_timeout:g} s"
                + self._tail_hint()
            ) from None

    async def stop(self) -> None:
        """Stop the tunnel for good (terminate, then kill if it lingers)."""
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        await self._terminate()
        self._set_url(None)

    # -- supervision -------------------------------------------------------------------

    async def _supervise(self) -> None:
        delay = self.backoff_initial
        while not self._stopping:
            started = time.monotonic()
            try:
                await self._run_once()
            except TunnelError as exc:
                self.last_error = str(exc)
                if self._first_url is not None and not self._first_url.done():
                    self._first_url.set_exception(exc)
                    return  # nothing to restart: the command cannot run at all
            if self._first_url is not None and not self._first_url.done():
                # It never worked: a wrong command or option, not a dropped connection.
                self._first_url.set_exception(
                    TunnelError(
                        f"{self.last_error} before printing a public URL{self._tail_hint()}"
                    )
                )
                return
            self._set_url(None)
            if self._stopping or children.ending():  # the program is ending: no restart
                return
            if time.monotonic() - started >= self.stable_after:
                delay = self.backoff_initial  # it ran fine for a while: restart promptly
            log.warning("tunnel exited; restarting in %.1f s%s", delay, self._tail_hint())
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.backoff_max)
            self.restarts += 1

    async def _run_once(self) -> None:
        self._tail.clear()
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                # Its own session: the terminal's ctrl+c and hang-up are ours, stop() can end
                # its group, and the group ends with us however we end (children.py).
                start_new_session=True,
                env=self._env,
            )
            children.adopt(self._process.pid)
            self._owned = self._process.pid
        except FileNotFoundError:
            raise TunnelError(
                f"tunnel command not found: {self.argv[0]!r}; install it, fix"
                " [webhooks] tunnel_command, or set [webhooks] public_url"
            ) from None
        except PermissionError:
            raise TunnelError(f"tunnel command {self.argv[0]!r} is not executable") from None
        process = self._process
        assert process.stdout is not None and process.stderr is not None
        await asyncio.gather(self._read(process.stdout), self._read(process.stderr))
        code = await process.wait()
        self._release(process)  # what it started goes with it (before any restart)
        self.last_error = f"{self.argv[0]} exited with code {code}"

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # a line longer than the reader's limit: skip it
                continue
            if not raw:
                return
            line = _ANSI.sub("", raw.decode("utf-8", "replace")).rstrip()
            self._tail.append(line)
            if self.url is None:
                url = find_public_url(line, self.local_url, self._pattern)
                if url is not None:
                    self._set_url(url)

    def _set_url(self, url: str | None) -> None:
        if url == self.url:
            return
        self.url = url
        if url is not None:
            log.info("tunnel is up at %s", url)
            if self._first_url is not None and not self._first_url.done():
                self._first_url.set_result(url)
        for listener in list(self._listeners):
            try:
                listener(url)
            except Exception:
                log.exception("tunnel listener failed")

    async def _terminate(self) -> None:
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            _end(process, hard=False)
            try:
                async with asyncio.timeout(3):
                    await process.wait()
            except TimeoutError:
                _end(process, hard=True)
                await process.wait()
        self._release(process)  # and whatever it started that outlived it

    def _release(self, process: asyncio.subprocess.Process) -> None:
        """Once, after its leader was reaped: a second kill could hit a reused id."""
        if self._owned == process.pid:
            self._owned = None
            children.release(process.pid)

    def _tail_hint(self) -> str:
        lines = [line for line in self._tail if line.strip()][-3:]
        return ("; last output: " + " / ".join(lines)) if lines else ""


def _end(process: asyncio.subprocess.Process, *, hard: bool) -> None:
    """Stop the tunnel and whatever it started: on POSIX its whole process group (it has its
    own session), elsewhere the process itself."""
    killpg = getattr(os, "killpg", None)
    if killpg is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            killpg(process.pid, signal.SIGKILL if hard else signal.SIGTERM)
            return
    with contextlib.suppress(ProcessLookupError):
        if hard:
            process.kill()
        else:
            process.terminate()
