"""The sandbox as an attacker finds it: bodies capped before they are read, credentials checked
before the body, an admin API that wants its token and a JSON body, seeds from one folder."""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from tests.sandbox import cassettes
from trello_tui.cli import build_parser
from trello_tui.sandbox import Sandbox, SandboxConfig
from trello_tui.sandbox.bodies import MAX_ADMIN_BODY, MAX_BODY
from trello_tui.sandbox.serve import load_sandbox

MB = 1 << 20
HUGE = 300 * MB
EXPORT = cassettes.FIXTURES / "board-export-nebula-2015.json"


# -- a real sandbox process, and requests written by hand ----------------------------------
@pytest.fixture(scope="module")
def served() -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    """``trello-tui sandbox --admin`` in its own process: (process, the assignments it printed)."""
    cmd = [sys.executable, "-m", "trello_tui", "sandbox", "--seed", "empty", "--admin"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("TRELLO_SANDBOX_ADMIN_TOKEN", None)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert proc.stdout is not None
    assignments: dict[str, str] = {}
    try:
        while "TRELLO_TOKEN_SAM" not in assignments:
            line = proc.stdout.readline()
            assert line, "the sandbox exited early"
            name, _, value = line.rstrip("\n").partition("=")
            assignments[name] = value
        yield proc, assignments
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()


def memory_mb(pid: int, field: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (the peak since :func:`reset_peak`), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field}")


def reset_peak(pid: int) -> None:
    """Start ``VmHWM`` again from the current RSS (a body read whole and freed again leaves
    only the peak to show it)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def chunks(total: int, size: int = MB, *, framed: bool = False) -> Iterator[bytes]:
    """``total`` bytes of body, ``size`` at a time, never all in memory (``framed``: as HTTP
    chunked transfer coding)."""
    piece = b"x" * size
    for _ in range(total // size):
        yield b"%x\r\n%s\r\n" % (size, piece) if framed else piece
    if framed:
        yield b"0\r\n\r\n"


def send(url: str, head: str, body: Iterator[bytes]) -> tuple[int, bytes]:
    """Write ``head`` then ``body`` until the server answers or hangs up: (body bytes written,
    the first bytes of the answer)."""
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.encode())
        for chunk in body:
            if select.select([sock], [], [], 0)[0]:
                break  # the answer (or the hang-up) is already here
            try:
                sock.sendall(chunk)
            except OSError:  # reset: the server closed with the rest unread
                break
            sent += len(chunk)
        answer = b""
        try:  # up to the hang-up: every refusal here closes the connection
            while data := sock.recv(65536):
                answer += data
        except OSError:  # a reset after the answer arrived
            pass
    return sent, answer


def head(method: str, path: str, headers: dict[str, str]) -> str:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return "\r\n".join(lines) + "\r\n\r\n"


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_an_unauthenticated_300_mb_post_is_cut_off_without_the_server_growing(
    served: tuple[subprocess.Popen[str], dict[str, str]], framing: str
) -> None:
    proc, env = served
    url = env["TRELLO_API_URL"]
    auth = {"key": env["TRELLO_API_KEY"], "token": env["TRELLO_TOKEN"]}
    # warm up: a normal write, so modules loaded on first use are in the baseline
    assert httpx.post(f"{url}/boards", params=auth, data={"name": "Warm"}).status_code == 200
    reset_peak(proc.pid)
    before = memory_mb(proc.pid, "VmRSS")
    started = time.monotonic()
    if framing == "content-length":
        request = head("POST", "/1/cards", {"Content-Length": str(HUGE)})
        sent, answer = send(url, request, chunks(HUGE))
    else:  # no size declared: the server must count as it reads
        request = head("POST", "/1/cards", {"Transfer-Encoding": "chunked"})
        sent, answer = send(url, request, chunks(HUGE, framed=True))
    took = time.monotonic() - started
    after, peak = memory_mb(proc.pid, "VmRSS"), memory_mb(proc.pid, "VmHWM")
    print(
        f"{framing}: sent {sent / MB:.0f} MB of 300 in {took:.2f} s; "
        f"RSS {before:.1f} -> {after:.1f} MB, peak {peak:.1f} MB"
    )
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"request entity too large" in answer and b"connection: close" in answer.lower()
    assert after - before < 20 and peak - before < 20
    assert sent < 64 * MB  # cut off near the 1 MiB cap, not read to the end
    assert proc.poll() is None
    assert httpx.get(f"{url}/members/me", params=auth).status_code == 200  # still serving


def test_a_bad_token_in_the_query_is_refused_before_the_body(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    _, env = served
    query = urlencode({"key": env["TRELLO_API_KEY"], "token": "0" * 64})
    request = head("POST", f"/1/cards?{query}", {"Content-Length": str(MAX_BODY // 2)})
    sent, answer = send(env["TRELLO_API_URL"], request, iter([]))  # the body never comes
    assert sent == 0 and answer.startswith(b"HTTP/1.1 401 ")
    assert answer.endswith(b"invalid token") and b"connection: close" in answer.lower()


def test_an_authenticated_body_over_the_cap_is_refused_unread(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    _, env = served
    url = env["TRELLO_API_URL"]
    auth = {"key": env["TRELLO_API_KEY"], "token": env["TRELLO_TOKEN"]}
    board = httpx.post(f"{url}/boards", params=auth, data={"name": "Capped"}).json()
    lists = httpx.get(f"{url}/boards/{board['id']}/lists", params=auth).json()
    query = urlencode({**auth, "idList": lists[0]["id"]})
    declared = head("POST", f"/1/cards?{query}", {"Content-Length": str(MAX_BODY + 1)})
    sent, answer = send(url, declared, iter([]))  # refused on the declared size alone
    assert sent == 0 and answer.startswith(b"HTTP/1.1 413 ")
    form = {"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"}
    body = b"name=Big&desc=" + b"x" * (MAX_BODY + 1)
    framed = iter([b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)])
    _, answer = send(url, head("POST", f"/1/cards?{query}", form), framed)
    assert answer.startswith(b"HTTP/1.1 413 ")
    cards = httpx.get(f"{url}/lists/{lists[0]['id']}/cards", params=auth).json()
    assert cards == []
    # the longest text Trello takes, in the costliest encoding, stays well under the cap
    desc = "😀" * 16384
    ok = httpx.post(
        f"{url}/cards", params=auth, data={"idList": lists[0]["id"], "name": desc, "desc": desc}
    )
    assert len(ok.request.content) > 2 * 190_000 and ok.status_code == 200
    assert ok.json()["desc"] == desc


def test_the_admin_api_wants_its_token_then_json(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    _, env = served
    root = env["TRELLO_API_URL"].removesuffix("/1")
    token = env["TRELLO_SANDBOX_ADMIN_TOKEN"]
    bearer = {"Authorization": f"Bearer {token}"}
    faults = f"{root}/_sandbox/faults"
    # a page the user visits can send this one without a preflight: the CSRF case
    simple = httpx.post(
        faults, content=b'{"error_rate": 1}', headers={"Content-Type": "text/plain"}
    )
    assert simple.status_code == 401
    assert httpx.post(faults, json={"error_rate": 1}).status_code == 401
    assert (
        httpx.post(
            faults, json={"error_rate": 1}, headers={"Authorization": "Bearer x" + token}
        ).status_code
        == 401
    )
    assert httpx.get(f"{root}/_sandbox/stats").status_code == 401
    assert httpx.post(f"{root}/_sandbox/reset", json={}).status_code == 401
    for kind in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ):
        r = httpx.post(
            faults, content=b'{"error_rate": 1}', headers={**bearer, "Content-Type": kind}
        )
        assert r.status_code == 415, kind
    untyped = httpx.post(faults, content=b'{"error_rate": 1}', headers=bearer)
    assert "content-type" not in untyped.request.headers and untyped.status_code == 415
    assert httpx.get(faults, headers=bearer).json()["error_rate"] == 0  # nothing refused took
    big = {"note": "x" * MAX_ADMIN_BODY}
    assert httpx.post(faults, json=big, headers=bearer).status_code == 413
    r = httpx.post(faults, json={"latency_s": 0.01}, headers=bearer)
    assert r.status_code == 200 and r.json()["latency_s"] == 0.01
    assert httpx.get(f"{root}/_sandbox/stats", headers=bearer).status_code == 200
    r = httpx.post(f"{root}/_sandbox/reset", json={"seed": "/etc/passwd"}, headers=bearer)
    assert r.status_code == 400 and "--seeds DIR" in r.text and "passwd" in r.text
    r = httpx.post(f"{root}/_sandbox/reset", json={"seed": "demo"}, headers=bearer)
    assert r.status_code == 200 and r.json() == {"seed": "demo"}


# -- seeds: names, the started-with seed, or files in the seeds folder ----------------------
def admin(sb: Sandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sb.app),
        base_url="http://sandbox.invalid",
        headers={"Authorization": f"Bearer {sb.admin_token}"},
    )


async def test_a_reset_reads_seed_files_from_the_seeds_folder_only(tmp_path: Path) -> None:
    seeds, elsewhere = tmp_path / "seeds", tmp_path / "elsewhere"
    seeds.mkdir()
    elsewhere.mkdir()
    shutil.copy(EXPORT, seeds / "nebula.json")
    shutil.copy(EXPORT, elsewhere / "private.json")
    (seeds / "link.json").symlink_to(elsewhere / "private.json")
    sb = Sandbox.create("empty", SandboxConfig(admin=True, seeds_dir=seeds))
    async with admin(sb) as c:
        for outside in (
            str(elsewhere / "private.json"),
            "../elsewhere/private.json",
            "link.json",
            str(elsewhere / "missing.json"),
        ):
            r = await c.post("/_sandbox/reset", json={"seed": outside})
            assert r.status_code == 400, outside
            refused = f"seed {outside!r} refused: it is outside the seeds folder {seeds.resolve()}"
            assert r.text == f"invalid reset: {refused}"
            assert sb.world.boards == {}
        r = await c.post("/_sandbox/reset", json={"seed": "nope.json"})
        assert r.status_code == 400 and "no such file in the seeds folder" in r.text
        r = await c.post("/_sandbox/reset", json={"seed": "nebula.json"})
        assert r.status_code == 200 and r.json() == {"seed": str(seeds.resolve() / "nebula.json")}
        assert [b.name for b in sb.world.boards.values()] == ["Nebula"]
        r = await c.post("/_sandbox/reset", json={"seed": "cards:3"})
        assert r.status_code == 200


async def test_a_reset_may_name_the_seed_the_sandbox_started_with(tmp_path: Path) -> None:
    started = tmp_path / "started.json"
    shutil.copy(EXPORT, started)
    sb = Sandbox.create(str(started), SandboxConfig(admin=True))  # no seeds folder at all
    async with admin(sb) as c:
        assert (await c.post("/_sandbox/reset", json={"seed": "empty"})).status_code == 200
        r = await c.post("/_sandbox/reset", json={"seed": str(started)})
        assert r.status_code == 200 and [b.name for b in sb.world.boards.values()] == ["Nebula"]
        other = tmp_path / "other.json"
        shutil.copy(EXPORT, other)
        r = await c.post("/_sandbox/reset", json={"seed": str(other)})
        assert r.status_code == 400 and "has none (start it with --seeds DIR)" in r.text


async def test_a_reset_of_a_file_that_is_no_export_is_a_400(tmp_path: Path) -> None:
    (tmp_path / "odd.json").write_text(json.dumps({"name": "x", "lists": []}))
    sb = Sandbox.create("empty", SandboxConfig(admin=True, seeds_dir=tmp_path))
    async with admin(sb) as c:
        r = await c.post("/_sandbox/reset", json={"seed": "odd.json"})
    assert r.status_code == 400 and "is not a Trello board export" in r.text


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["sandbox", *argv])


def test_the_command_line_gives_the_token_and_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRELLO_SANDBOX_ADMIN_TOKEN", raising=False)
    made = load_sandbox(parse("--admin", "--seed", "empty"))
    assert len(made.admin_token) >= 32 and made.config.seeds_dir is None
    assert load_sandbox(parse("--admin", "--seed", "empty")).admin_token != made.admin_token
    given = load_sandbox(parse("--admin", "--admin-token", "t" * 20, "--seeds", str(tmp_path)))
    assert given.admin_token == "t" * 20 and given.config.seeds_dir == tmp_path.resolve()
    monkeypatch.setenv("TRELLO_SANDBOX_ADMIN_TOKEN", "e" * 20)
    assert load_sandbox(parse("--admin", "--seed", "empty")).admin_token == "e" * 20
    with pytest.raises(ValueError, match="at least 16"):
        load_sandbox(parse("--admin", "--admin-token", "short"))
    with pytest.raises(ValueError, match="not a folder"):
        load_sandbox(parse("--seeds", str(tmp_path / "missing")))
