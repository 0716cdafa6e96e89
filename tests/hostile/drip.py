"""A loopback server that never finishes an answer: it drips one byte at a time.

httpx's timeouts are per read, so a byte every few seconds keeps a request alive for ever;
only an overall deadline ends it. The server runs in a thread on 127.0.0.1, answers every
connection the same way (a status line, then one header byte per ``interval_s``), and stops
itself after ``lifetime_s`` whatever happens, so a test that goes wrong cannot leave it behind.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator


def _answer(conn: socket.socket, interval_s: float, until: float, stop: threading.Event) -> None:
    with conn:
        conn.settimeout(1.0)
        with contextlib.suppress(OSError):
            conn.recv(65536)  # the request (its headers at least); never answered in full
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
            while not stop.is_set() and time.monotonic() < until:
                conn.sendall(b"z")
                stop.wait(interval_s)


@contextlib.contextmanager
def drip_server(interval_s: float = 0.5, lifetime_s: float = 60.0) -> Iterator[str]:
    """Serve on a free loopback port; yields the API URL (``http://127.0.0.1:PORT/1``)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    until = time.monotonic() + lifetime_s
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def serve() -> None:
        while not stop.is_set() and time.monotonic() < until:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(
                target=_answer, args=(conn, interval_s, until, stop), daemon=True
            )
            worker.start()
            threads.append(worker)

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{port}/1"
    finally:
        stop.set()
        acceptor.join(2)
        listener.close()
        for worker in threads:
            worker.join(2)


if __name__ == "__main__":  # a manual reproduction: python -m tests.hostile.drip
    import sys

    with drip_server(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0, 600) as url:
        print(url, flush=True)
        time.sleep(600)
