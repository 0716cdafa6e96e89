"""What the command line prints and reads: nothing a terminal would obey, nothing undecodable.

Every subcommand that is not the full-screen app writes through :func:`clean`: a stream
wrapper that passes each write through :func:`~trello_tui.trello.text.visible`, so a card
name, a server's error text or the user's own argument echoed back can never set the window
title, write the clipboard or ask the terminal a question whose answer arrives as keys. The
wrapper sits on the stream rather than at each print, so a new message cannot forget it.
Only the program's own control sequences (a progress bar's ``\\r`` and line erase) bypass it,
through :func:`control`.

JSON printed for scripts (``--json``, ``export --format json``) must stay valid and faithful,
so it is not made visible but escaped: :func:`json_text` writes as ``\\uXXXX`` every
character JSON itself would leave raw and a terminal would obey (DEL, C1, bidi controls, line
separators, lone surrogates); the controls below 0x20 JSON escapes on its own.

Bytes that are not UTF-8 (an argument typed in a Latin-1 terminal, a file in another
encoding on stdin) are refused with a message, never stored: Python hands them over as
lone surrogates (``surrogateescape``), which no database or server can encode, and replacing
them with ``�`` would write that mangled name onto a shared board for everyone.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO, cast

from trello_tui.trello.text import visible

#: what JSON leaves raw and a terminal would obey (C0 controls JSON escapes itself)
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
#: the lone surrogates ``surrogateescape`` makes of bytes that are not UTF-8
_UNDECODED = re.compile("[\udc80-\udcff]+")


class CleanStream(io.TextIOBase):
    """A text stream that shows every control and escape it is given as inert text."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(visible(text, multiline=True))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    @property
    def buffer(self) -> Any:
        """The raw bytes underneath (what writes there must already be clean)."""
        return self.inner.buffer

    def close(self) -> None:  # the wrapped stream belongs to whoever made it
        self.flush()


def clean(stream: TextIO) -> TextIO:
    """``stream`` behind a :class:`CleanStream` (once: a clean stream is returned as it is)."""
    if isinstance(stream, CleanStream):
        return cast(TextIO, stream)
    return cast(TextIO, CleanStream(stream))


def control(stream: TextIO, sequence: str) -> None:
    """Write the program's own control ``sequence`` (never user text) past the cleaning."""
    inner = stream.inner if isinstance(stream, CleanStream) else stream
    inner.write(sequence)


@contextlib.contextmanager
def clean_streams() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` made clean while the block runs."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = clean(sys.stdout), clean(sys.stderr)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        sys.stdout, sys.stderr = saved


def json_text(data: Any, **options: Any) -> str:
    """``json.dumps(data, ensure_ascii=False)`` with nothing a terminal would obey left raw."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# -- reading ---------------------------------------------------------------------------------


def undecodable(text: str) -> str | None:
    """How ``text`` (from argv or stdin) fails to be UTF-8, or None when it is UTF-8."""
    found = _UNDECODED.search(text)
    if found is None:
        return None
    raw = " ".join(f"{ord(c) - 0xDC00:02x}" for c in found.group()[:8])
    return f"byte(s) {raw} at character {found.start() + 1} are not UTF-8"


def not_utf8_advice() -> str:
    return (
        "nothing was done: type it in UTF-8 (check the terminal's or the script's encoding, "
        "e.g. LANG=C.UTF-8) or convert it with `iconv -t UTF-8`"
    )


def argv_problem(values: Iterable[tuple[str, object]]) -> str | None:
    """The first command-line value that is not UTF-8, described, or None."""
    for name, value in values:
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, str) and (problem := undecodable(item)) is not None:
                shown = visible(os.fsencode(item).decode("utf-8", "replace"))
                where = "the text" if name == "text" else f"--{name.replace('_', '-')}"
                return f"{where} {shown!r}: {problem}; {not_utf8_advice()}"
    return None


def read_text(stream: TextIO) -> str:
    """All of ``stream``, bytes that are not UTF-8 kept as lone surrogates (never an error)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return stream.read()
    data: bytes = buffer.read()
    return data.decode("utf-8", "surrogateescape")


# -- credentials.toml ------------------------------------------------------------------------


def warn_exposed_credentials(err: TextIO) -> None:
    """One line on ``err`` per way credentials.toml is exposed (others may read or change it).

    Every command that reads the file says so, not only ``doctor``; the line names the file
    and the fix, never a secret.
    """
    from trello_tui.config.settings import load_credentials

    for problem in load_credentials().exposed:
        err.write(f"trello-tui: warning: {problem}\n")
