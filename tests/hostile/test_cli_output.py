"""The hostile corpus through every command-line output: ``add`` (echo, ``--json``, the error
lists naming a board's labels and lists), ``sync`` progress, ``watch``'s lines and every
``export`` format. Nothing a terminal would obey comes out; JSON stays valid and faithful;
CSV cells a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.capture_cli.helpers import BOARD, Cli, board, lists
from tests.hostile.corpus import CORPUS, unsafe_in
from tests.triggers.helpers import board_id, client_for, list_id
from trello_tui.automation.watcher import Watch, pick_boards
from trello_tui.cli_io import clean, json_text
from trello_tui.export.table import cell
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox

#: every corpus text short enough for a card name (the 16 K one is Trello's description size)
TEXTS = [text for _, text in CORPUS]
NAMED = [text for text in TEXTS if len(text) <= 16_384]


def _hostile_board(sb: Sandbox) -> None:
    """The demo board with the corpus in its name, its lists, labels and card names."""
    b = board(sb)
    b.name = BOARD  # kept: the commands find it by this name; its id is used below
    for label_id, text in zip(b.label_ids, TEXTS, strict=False):
        sb.world.labels[label_id].name = text
    for lst, text in zip(lists(sb)[1:], TEXTS[8:], strict=False):
        lst.name = text
    for card_id, text in zip(b.card_ids, TEXTS[3:], strict=False):
        sb.world.cards[card_id].name = text
        sb.world.cards[card_id].desc = text


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    sb = Sandbox.create(seed="demo")
    _hostile_board(sb)
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        yield Cli(sb, tmp_path, url)


def _clean(done: object) -> None:
    out = getattr(done, "stdout", "") + getattr(done, "stderr", "")
    assert unsafe_in(out) == [], out[-2000:]
    assert "Traceback" not in out, out[-2000:]


def test_add_echo_json_and_error_lists(cli: Cli) -> None:
    # Every corpus string as a card (a line each on stdin; --json echoes each back).
    # (lone surrogates cannot even be written to a pipe: they reach the CLI as board data)
    batch = "\n".join(t for t in NAMED if len(t) < 1000 and "\ud800" not in t)
    done = cli.run("add", "-", "--board", BOARD, "--json", stdin=batch)
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert records and all(r["status"] == "created" for r in records)
    _clean(done)
    # The argument echoed back when a card is queued or refused, and the long name.
    for text in (TEXTS[1], TEXTS[17], "N" * 16_384):  # (argv can't carry NUL)
        _clean(cli.run("add", text, "--board", BOARD))
    # Error lists: a label, a list and a board that match nothing list the hostile names.
    for args in (
        ("add", "x #nomatch\x1b]0;t\x07", "--board", BOARD),
        ("add", "x ^nomatch", "--board", BOARD),
        ("add", "x", "--board", BOARD, "--list", "nomatch\x1b[2J"),
        ("add", "x", "--board", "nomatch\x9b2J"),
        ("add", "--json", "y #nomatch\x9b", "--board", BOARD),
    ):
        refused = cli.run(*args)
        assert refused.returncode == 1, refused.stderr
        _clean(refused)
    listed = cli.run("add", "x #nomatch", "--board", BOARD)
    assert "matches no label" in listed.stderr and "before\u2400after" in listed.stderr


def test_sync_progress_and_export_of_every_format(cli: Cli, tmp_path: Path) -> None:
    b = board(cli.sb)
    b.name = "Hostile " + TEXTS[22]  # an OSC title sequence in the board's own name
    synced = cli.run("sync", "--board", b.id)
    assert synced.returncode == 0, synced.stderr
    assert "Hostile" in synced.stderr
    _clean(synced)
    for fmt in ("json", "markdown", "csv"):
        exported = cli.run("export", b.id, "--format", fmt)
        assert exported.returncode == 0, exported.stderr
        _clean(exported)
    # JSON: valid, and the names are exactly those in the cache (nothing lost on the way).
    raw = cli.run("export", b.id, "--format", "json").stdout
    data = json.loads(raw)
    cached = Cache(tmp_path / "cache" / "cache.sqlite3").load_board(b.id)
    assert cached is not None
    assert {c["name"] for c in data["cards"]} == {c.name for c in cached.board.cards}
    assert {lb["name"] for lb in data["labels"]} == {lb.name for lb in cached.board.labels}
    # The bytes themselves: no C0 but the final newline, no DEL, no UTF-8 encoded C1.
    assert re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", raw.encode("utf-8")) is None
    # CSV: parses, one row per card, every cell clean.
    rows = list(csv.reader(io.StringIO(cli.run("export", b.id, "--format", "csv").stdout)))
    assert len(rows) == 1 + len(cached.board.cards)


def test_json_bytes_carry_no_raw_control() -> None:
    """What JSON leaves raw (DEL, C1, bidi, separators, lone surrogates) is escaped, and the
    text decodes back to exactly what went in."""
    record = {"names": TEXTS}
    text = json_text(record)
    assert unsafe_in(text) == []
    assert json.loads(text) == record
    text.encode("utf-8")  # a lone surrogate would make this raise


def test_a_clean_stream_shows_everything_and_keeps_layout() -> None:
    inner = io.StringIO()
    stream = clean(inner)
    for text in TEXTS:
        stream.write(text + "\n")
    assert unsafe_in(inner.getvalue()) == []
    assert inner.getvalue().count("\n") >= len(TEXTS)
    assert clean(stream) is stream
    inner = io.StringIO()
    clean(inner).write("family \U0001f468\u200d\U0001f469\u200d\U0001f467 看板\n")
    assert inner.getvalue() == "family \U0001f468\u200d\U0001f469\u200d\U0001f467 看板\n"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\n=1"),
        ("Plain name", "Plain name"),
        ("a=b", "a=b"),
    ],
)
def test_csv_neutralises_formula_cells(name: str, shown: str) -> None:
    assert cell(name) == shown


def test_csv_export_of_formula_names(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    names = ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(1)", "\tTab", "\rCR"]
    for card_id, name in zip(board(sb).card_ids, names, strict=False):
        sb.world.cards[card_id].name = name
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        cli = Cli(sb, tmp_path, url)
        assert cli.run("sync", "--board", board(sb).id).returncode == 0
        done = cli.run("export", board(sb).id, "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout, newline="")))
    shown = [r["Card Name"] for r in rows]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert "'=1+1" in shown and "'-2" in shown and "'@SUM(1)" in shown


async def test_watch_lines_of_hostile_cards(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    board = board_id(sb)
    done = list_id(sb, board, "Done")
    cards = [c for c in sb.world.boards[board].card_ids if not sb.world.cards[c].closed][:6]
    hostile = [TEXTS[i] for i in (1, 9, 17, 22, 25, 37)]
    out, err = io.StringIO(), io.StringIO()
    async with client_for(sb) as alex, client_for(sb, "sam") as sam:
        for card_id, text in zip(cards, hostile, strict=True):
            sb.world.cards[card_id].name = text
        watch = Watch(
            alex,
            [],
            out=out,
            err=err,
            interval_s=0.2,
            full_every_s=600,
            cache=Cache(tmp_path / "cache.sqlite3"),
            outbox=Outbox(tmp_path / "outbox.sqlite3"),
        )
        [target] = pick_boards(await alex.my_boards(), ["website relaunch"])[0]
        stop = asyncio.Event()
        await watch.start([target])
        running = asyncio.create_task(watch.run(stop))
        try:
            for _ in range(100):
                if watch.engines[0].state is not None:
                    break
                await asyncio.sleep(0.05)
            for card_id in cards:
                await sam.move_card(card_id, "top", id_list=done)
            for _ in range(200):
                if out.getvalue().count("\n") >= len(cards):
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await running
            await watch.aclose()
    printed = out.getvalue()
    assert printed.count("\n") >= len(cards), printed + err.getvalue()
    assert unsafe_in(printed + err.getvalue()) == []
