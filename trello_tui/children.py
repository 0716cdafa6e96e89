"""The helper processes we start (the tunnel command, triggers) end when we do.

Each helper runs in its own session, so its process group is its own: the terminal's ctrl+c
and hang-up never reach it, and ending the group ends whatever it started (a shell script's
children too). Three layers see that no group outlives the program:

1. The owner ends its group when it is done (``Tunnel.stop``, a trigger's timeout).
2. ``end_all`` ends every group still open: registered with ``atexit``, and called by the
   app's SIGHUP / SIGTERM / SIGINT handler (``trello_tui.ui.exits``) before it exits.
3. A warden: a tiny process of its own (started with the first helper, one per program)
   holds the read end of a pipe only we can write to. When we die in a way no handler sees
   (SIGKILL, a crash), the kernel closes our end, the warden reads end-of-file and ends
   every group we had told it about.

The warden was chosen over ``prctl(PR_SET_PDEATHSIG)`` in a ``preexec_fn``: that signal
reaches only the direct child (not what a tunnel script starts), exists only on Linux, is
tied to the thread that forked rather than the process, and ``preexec_fn`` is unsafe while
other threads run (the app always has some). The warden costs one small process while
helpers run and works wherever ``os.killpg`` does. No ``os.killpg`` (Windows): the owners'
own stops are all there is.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger("trello_tui.children")

#: how long ``end_all`` lets the groups stop on SIGTERM before SIGKILL
GRACE_S = 1.0

#: in the warden's command line (``ps`` shows who it is)
WARDEN_NAME = "trello-tui-warden"
_WARDEN = r"""
import os, signal, sys, time
for name in ("SIGHUP", "SIGINT", "SIGTSTP", "SIGTTIN", "SIGTTOU"):
    if hasattr(signal, name):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
fd, grace, groups, rest = int(sys.argv[1]), float(sys.argv[2]), set(), b""
while chunk := os.read(fd, 4096):
    *lines, rest = (rest + chunk).split(b"\n")
    for line in lines:
        (groups.add if line[:1] == b"+" else groups.discard)(int(line[1:]))
def signal_all(sig):
    alive = set()
    for group in groups:
        try:
            os.killpg(group, sig)
            alive.add(group)
        except OSError:
            pass
    return alive
groups = signal_all(signal.SIGTERM)
deadline = time.monotonic() + grace
while groups and time.monotonic() < deadline:
    time.sleep(0.05)
    groups = signal_all(0)
signal_all(signal.SIGKILL)
"""

_lock = threading.Lock()
_groups: set[int] = set()
_warden: subprocess.Popen[bytes] | None = None  # kept: it outlives us by design
_warden_fd: int | None = None
_warden_for: int | None = None  # the pid the warden watches (a forked child needs its own)
_registered = False
_ending = False


def supported() -> bool:
    return hasattr(os, "killpg")


def ending() -> bool:
    """True once the program began to end its helpers: owners must not restart them."""
    return _ending


def adopt(pid: int) -> None:
    """``pid`` leads a new session (``start_new_session=True``): its group ends with us."""
    global _registered
    if not supported():
        return
    with _lock:
        _groups.add(pid)
        if not _registered:
            atexit.register(end_all)
            _registered = True
        _tell(f"+{pid}\n")


def forget(pid: int) -> None:
    """The group is no longer ours to end: it was ended, or it finished and whatever it
    left running on purpose is the user's."""
    if not supported():
        return
    with _lock:
        if pid in _groups:
            _groups.discard(pid)
            _tell(f"-{pid}\n")


def release(pid: int) -> None:
    """The leader ``pid`` was reaped: kill what is left of its group, then forget it."""
    end(pid, hard=True)
    forget(pid)


def end(pid: int, *, hard: bool = False) -> bool:
    """Signal the whole group led by ``pid`` (SIGTERM, or SIGKILL when ``hard``); False
    when no process of it is left."""
    if not supported():
        return False
    try:
        os.killpg(pid, signal.SIGKILL if hard else signal.SIGTERM)
    except (ProcessLookupError, PermissionError):  # gone (or the id is someone else's now)
        return False
    return True


def alive(pid: int) -> bool:
    """True while any process of the group led by ``pid`` exists (an unreaped zombie too)."""
    if not supported():
        return False
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def terminate_all() -> None:
    """SIGTERM to every group still open, without waiting (a signal handler's first act:
    the helpers begin to stop while the app shuts down; ``end_all`` finishes the job)."""
    global _ending
    _ending = True
    with _lock:
        groups = set(_groups)
    for group in groups:
        end(group)


def end_all(grace_s: float = GRACE_S) -> None:
    """End every group still open: SIGTERM, up to ``grace_s`` for them to go, then SIGKILL.
    Safe to call more than once; registered with ``atexit`` by the first ``adopt``."""
    global _ending
    _ending = True
    with _lock:
        groups = set(_groups)
    if not groups:
        return
    left = {group for group in groups if end(group)}
    deadline = time.monotonic() + grace_s
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        left = {group for group in left if alive(group)}
    for group in left:
        log.warning("process group %s is still there after SIGTERM; killing it", group)
        end(group, hard=True)
    for group in groups:
        forget(group)


def _tell(line: str) -> None:
    """Tell the warden (started on first use); called with ``_lock`` held."""
    global _warden_fd, _warden_for
    if _warden_for != os.getpid():  # first use, or a forked child: a warden of its own
        _warden_fd = _start_warden()
        _warden_for = os.getpid()
    if _warden_fd is None:
        return
    try:
        os.write(_warden_fd, line.encode())
    except OSError:  # the warden is gone (someone killed it): the other two layers remain
        with contextlib.suppress(OSError):
            os.close(_warden_fd)
        _warden_fd = None


def _start_warden() -> int | None:
    """The warden's process; our end of its pipe (None when it cannot start)."""
    global _warden
    read, write = os.pipe()  # neither end is inherited by the helpers we start later
    try:
        _warden = subprocess.Popen(
            # The last argument names it in ps: whose it is and what it does.
            [sys.executable, "-I", "-S", "-c", _WARDEN, str(read), str(GRACE_S + 1), WARDEN_NAME],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(read,),
            start_new_session=True,  # the terminal's hang-up and ctrl+c are not its end
        )
    except OSError as exc:
        log.warning("no warden for helper processes (%s)", exc)
        os.close(write)
        return None
    finally:
        os.close(read)
    return write
