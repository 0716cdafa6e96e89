"""The real app in a real pty, on a board whose every text field holds the hostile corpus.

Everything a teammate can write is hostile here: the board's name, every list, label, card
name, description, comment, checklist and item, and the teammate's own full name. The app
paints the board, receives the teammate's moves of those cards while nobody touches a key,
then scrolls, opens every card and searches. The pty answers terminal queries as a terminal
does, so a query that leaked would come back as keys. The raw bytes must carry no sequence
from the corpus, no OSC, DCS, APC, PM or SOS string and no terminal query; and the app must
send Trello no write at all.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hostile.corpus import CORPUS, payloads
from tests.hostile.terminal import Terminal, sequences, text_of
from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.auth import read_credentials
from trello_tui.sandbox.core import SandboxConfig
from trello_tui.sandbox.seeds import add_label, add_list, new_board

pytestmark = pytest.mark.timeout(240)

LISTS = 4
IDLE_S = 30.0
#: The only strings Textual itself writes: OSC 22 (the mouse pointer's shape).
TEXTUAL_STRINGS = frozenset({"\x1b]22;default\x07"})
#: CSI queries whose answers arrive as input: DA1/DA2/DA3, DSR, window reports, XTVERSION.
QUERY = re.compile(r"\x1b\[[>=]?0?c|\x1b\[\??[56]n|\x1b\[1[1-9]t|\x1b\[2[01]t|\x1b\[>0?q")


@dataclass
class Recorder:
    """Every request the sandbox answered: (method, path, who)."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)

    def writes_by(self, who: str) -> list[tuple[str, str, str]]:
        return [r for r in self.requests if r[2] == who and r[0] != "GET"]


@dataclass
class HostileBoard:
    sb: Sandbox
    url: str
    board_id: str
    list_ids: list[str]
    card_ids: list[str]
    recorder: Recorder


def _record(sb: Sandbox, recorder: Recorder) -> None:
    handle = sb.handle

    async def logged(method: str, path: str, params: dict[str, Any], auth: Any, **kw: Any) -> Any:
        _, token = read_credentials(params, auth)
        recorder.requests.append((method, path, sb._token_label(token)))
        return await handle(method, path, params, auth, **kw)

    sb.handle = logged  # type: ignore[method-assign]


def encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _build(sb: Sandbox, url: str) -> tuple[str, list[str], list[str]]:
    w = sb.world
    by_name = {m.username: m for m in w.members.values()}
    alex, sam = by_name["alex"], by_name["sam"]
    sam.full_name = "[/] Sam \x1b]0;pwned\x07 \x1b[>c Okafor"
    texts = [text for _, text in CORPUS]
    board = new_board(w, "Board " + texts[23], {alex.id: "normal", sam.id: "admin"})
    lists = [add_list(w, board, "L " + texts[(i * 7) % len(texts)], i) for i in range(LISTS)]
    labels = [add_label(w, board, texts[i * 5], c) for i, c in enumerate(("red", "blue", None))]
    auth = {"key": sb.credentials.key, "token": sb.credentials.tokens["sam"]}
    cards = []
    with httpx.Client(base_url=url.removesuffix("/1"), params=auth, timeout=30) as http:

        def call(method: str, path: str, **params: str) -> Any:
            answer = http.request(method, f"/1{path}", params=params)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
            return answer.json()

        for i, text in enumerate(texts):
            lst = lists[i % LISTS]
            name = f"C{i:02d} {text}"[:16_384]  # Trello's limit for a name
            if not encodable(text):  # lone surrogates: only a JSON answer can carry them
                card = call("POST", "/cards", idList=lst.id, name=f"C{i:02d}", pos="bottom")
                w.cards[card["id"]].name, w.cards[card["id"]].desc = name, text
                cards.append(card["id"])
                continue
            card = call("POST", "/cards", idList=lst.id, name=name, desc=text, pos="bottom")
            cards.append(card["id"])
            call("POST", f"/cards/{card['id']}/actions/comments", text=text)
            checklist = call("POST", "/checklists", idCard=card["id"], name=text)
            call("POST", f"/checklists/{checklist['id']}/checkItems", name=text)
            call("POST", f"/cards/{card['id']}/idLabels", value=labels[i % len(labels)].id)
            call("POST", f"/cards/{card['id']}/idMembers", value=sam.id)
        call("POST", "/cards", idList=lists[0].id, name="Sentinel plain card", pos="top")
    return board.id, [lst.id for lst in lists], cards


@pytest.fixture
def hostile_board() -> Iterator[HostileBoard]:
    config = SandboxConfig(token_limit=100_000, key_limit=100_000)
    sb = Sandbox.create("empty", config)
    recorder = Recorder()
    _record(sb, recorder)
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        board_id, list_ids, card_ids = _build(sb, url)
        yield HostileBoard(sb, url, board_id, list_ids, card_ids, recorder)


def _app_env(tmp_path: Path, board: HostileBoard) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRELLO", "TEXTUAL"))}
    for name in ("config", "cache", "state"):
        (tmp_path / name).mkdir()
        env[f"TRELLO_TUI_{name.upper()}_DIR"] = str(tmp_path / name)
    (tmp_path / "config" / "config.toml").write_text("[sync]\npoll_active_s = 2\n")
    creds = board.sb.credentials
    env.update(
        TRELLO_API_URL=board.url,
        TRELLO_API_KEY=creds.key,
        TRELLO_TOKEN=creds.tokens["alex"],
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
    )
    return env


def _teammate_moves(board: HostileBoard, during_s: float) -> int:
    """Sam moves cards between lists while the app only watches; returns how many."""
    auth = {"key": board.sb.credentials.key, "token": board.sb.credentials.tokens["sam"]}
    moved = 0
    deadline = time.monotonic() + during_s
    with httpx.Client(base_url=board.url.removesuffix("/1"), params=auth, timeout=30) as http:
        for i, card_id in enumerate(board.card_ids[:12]):
            if time.monotonic() > deadline - 4:
                break
            target = board.list_ids[(i + 1) % LISTS]
            answer = http.put(f"/1/cards/{card_id}", params={"idList": target, "pos": "top"})
            assert answer.status_code == 200, answer.text[:200]
            moved += 1
            time.sleep(1.5)
    time.sleep(max(0.0, deadline - time.monotonic()))
    return moved


def _browse(term: Terminal, cards_per_list: int) -> None:
    """Scroll every list, open every card and close it, then search twice."""
    for column in range(LISTS):
        for _ in range(cards_per_list + 1):
            term.keys("\r", pause_s=0.25)
            term.keys("\x1b", pause_s=0.2)
            term.keys("j", pause_s=0.05)
        term.keys(*["k"] * (cards_per_list + 2), pause_s=0.02)
        if column < LISTS - 1:
            term.keys("l", pause_s=0.2)
    for query in ("WIP", "[/]"):
        term.keys("/", pause_s=0.4)
        term.keys(*query, pause_s=0.05)
        time.sleep(1.0)
        term.keys("\x1b", pause_s=0.4)


def test_a_hostile_board_reaches_the_terminal_inert_and_writes_nothing(
    tmp_path: Path, hostile_board: HostileBoard
) -> None:
    board = hostile_board
    term = Terminal(
        [sys.executable, "-m", "trello_tui", "--board", board.board_id],
        _app_env(tmp_path, board),
    )
    start = len(board.recorder.requests)
    term.start()
    try:
        assert term.wait_for(lambda out: "Sentinel" in text_of(out), 30), term.text()[-2000:]
        moved = _teammate_moves(board, IDLE_S)
        idle_writes = board.recorder.writes_by("alex")
        _browse(term, cards_per_list=len(CORPUS) // LISTS)
        time.sleep(1.0)
        assert term.process.poll() is None, "the app died: " + text_of(term.text())[-2000:]
    finally:
        term.stop()
    output = term.text()
    app_requests = board.recorder.requests[start:]

    assert moved >= 8
    assert idle_writes == [], f"the app wrote with no key pressed: {idle_writes}"
    assert board.recorder.writes_by("alex") == [], "the app wrote while only browsing"
    assert any(who == "alex" for _, _, who in app_requests), "the app never reached the sandbox"
    assert "␛" in text_of(output), "the hostile names were never painted"

    leaked = [p for p in payloads() if p in output]
    assert leaked == [], f"corpus sequences reached the terminal: {leaked[:5]}"
    emitted = sequences(output)
    strings = [s for s in emitted if s[:2] in ("\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX")]
    foreign = [s for s in strings if s not in TEXTUAL_STRINGS]
    assert foreign == [], f"OSC/DCS/APC/PM/SOS strings written: {foreign[:5]}"
    queries = [s for s in emitted if QUERY.fullmatch(s)]
    assert queries == [], f"terminal queries written: {queries[:5]}"
    assert term.answered == []
    controls = {c for c in text_of(output) if ord(c) < 0x20 and c not in "\r\n"}
    controls |= {c for c in text_of(output) if 0x7F <= ord(c) <= 0x9F}
    assert controls == set(), f"raw control characters written: {sorted(map(repr, controls))}"
