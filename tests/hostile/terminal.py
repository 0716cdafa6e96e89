"""A pseudo-terminal that records every byte a program writes and answers like a terminal.

``Terminal`` runs a command on the slave side of a pty (160×45, its controlling terminal) and
keeps the raw output. Like a real terminal it answers the queries it sees (DA1, DA2, DSR,
window reports, XTVERSION): that is what turns a leaked query into keys the program reads, so
a test that records here meets the attack the way a user's terminal would.

``sequences(output)`` splits output into its escape sequences the way a terminal parses them
(CSI, OSC, DCS/APC/PM/SOS strings, two-byte ESC sequences), for assertions on what a program
emitted besides text.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

COLUMNS, ROWS = 160, 45

#: Queries a terminal answers, and the answers (an xterm-like terminal's).
ANSWERS: tuple[tuple[bytes, bytes], ...] = (
    (b"\x1b[c", b"\x1b[?62;22c"),
    (b"\x1b[0c", b"\x1b[?62;22c"),
    (b"\x1b[>c", b"\x1b[>84;0;0c"),
    (b"\x1b[>0c", b"\x1b[>84;0;0c"),
    (b"\x1b[6n", b"\x1b[1;1R"),
    (b"\x1b[5n", b"\x1b[0n"),
    (b"\x1b[18t", f"\x1b[8;{ROWS};{COLUMNS}t".encode()),
    (b"\x1b[14t", b"\x1b[4;900;1280t"),
    (b"\x1b[>0q", b"\x1bP>|xterm(390)\x1b\\"),
)

_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, ended by BEL or ST (or not at all)
    r"|\x1b[P_^X][^\x1b]*(?:\x1b\\)?"  # DCS, APC, PM, SOS
    r"|\x1b[ -/]*[0-~]"  # two-byte and nF escapes
    r"|\x1b",  # a lone ESC
)


def sequences(output: str) -> list[str]:
    """Every escape sequence in ``output``, in order."""
    return _SEQUENCE.findall(output)


def text_of(output: str) -> str:
    """``output`` with its escape sequences removed: what a terminal would print as text."""
    return _SEQUENCE.sub("", output)


@dataclass
class Terminal:
    argv: Sequence[str]
    env: dict[str, str]
    cwd: str | None = None
    output: bytearray = field(default_factory=bytearray)
    answered: list[bytes] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self._master = master

        def controlling_tty() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            list(self.argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            cwd=self.cwd,
            preexec_fn=controlling_tty,
            close_fds=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        scanned = 0
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.1)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                chunk = os.read(self._master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output.extend(chunk)
                window = bytes(self.output[max(0, scanned - 16) :])
                scanned = len(self.output)
            for query, answer in ANSWERS:
                for _ in range(window.count(query)):
                    self.answered.append(query)
                    self.send(answer)

    def send(self, data: bytes | str) -> None:
        os.write(self._master, data.encode() if isinstance(data, str) else data)

    def keys(self, *keys: str, pause_s: float = 0.05) -> None:
        for key in keys:
            self.send(key)
            time.sleep(pause_s)

    def text(self) -> str:
        with self._lock:
            return bytes(self.output).decode("utf-8", errors="replace")

    def wait_for(self, predicate: Callable[[str], bool], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate(self.text()):
                return True
            if self.process.poll() is not None:
                return predicate(self.text())
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        os.close(self._master)
