"""Keep the API key, the token and the app secret out of every string we show or log.

The client registers its credentials here when it is built (``register``); ``redact(text)``
then replaces each registered secret, and anything shaped like ``key=…``/``token=…`` in a
query string or an ``oauth_token="…"`` header, with ``***``. ``RedactingFilter`` applies the
same to every log record; ``install_log_redaction()`` wraps the global record factory so that
records from any logger (httpx, uvicorn, ours) are cleaned before any handler sees them.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

MASK = "***"

_lock = threading.Lock()
_secrets: set[str] = set()

# Credentials that might arrive shaped as query parameters or header fields, whoever wrote them.
_PATTERNS = (
    re.compile(r"(?i)(\b(?:key|token|secret|api_key|apiKey)=)[^&\s\"'<>]+"),
    re.compile(r'(?i)(oauth_(?:consumer_key|token|signature)=")[^"]*'),
    re.compile(r"(?i)(/tokens/)[0-9A-Za-z_\-]{20,}"),
)
# Short values would blank out innocent words; real keys are 32 hex, tokens 64 hex or ATTA….
_MIN_SECRET_LEN = 8


def register(values: Iterable[str | None]) -> None:
    """Remember secrets so that ``redact`` removes them from now on (process-wide)."""
    with _lock:
        for value in values:
            if value and len(value) >= _MIN_SECRET_LEN:
                _secrets.add(value)


def forget_all() -> None:
    """Drop every registered secret (tests use this to isolate runs)."""
    with _lock:
        _secrets.clear()


def registered() -> frozenset[str]:
    """The secrets registered so far (tests save and restore them)."""
    with _lock:
        return frozenset(_secrets)


def restore(values: Iterable[str]) -> None:
    """Make ``values`` the registered secrets again (the counterpart of ``registered``)."""
    with _lock:
        _secrets.clear()
        _secrets.update(values)


def redact(text: str, extra: Iterable[str | None] = ()) -> str:
    """``text`` with every registered (and every ``extra``) secret replaced by ``***``."""
    with _lock:
        values = set(_secrets)
    values.update(v for v in extra if v and len(v) >= _MIN_SECRET_LEN)
    # Longest first, so a secret that contains another is removed whole.
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


def _clean_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string must not hide the record; show it raw
        message = f"{record.msg!r} % {record.args!r}"
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        # Format the traceback now, so the handler prints our cleaned copy instead.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactingFilter(logging.Filter):
    """A logging filter that cleans a record's message, arguments and traceback in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        _clean_record(record)
        return True


_installed = False


def install_log_redaction() -> None:
    """Clean every log record of every logger as it is created (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _clean_record(record)
        return record

    logging.setLogRecordFactory(factory)
