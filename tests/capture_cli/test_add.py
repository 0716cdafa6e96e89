"""``trello-tui add`` against the sandbox on loopback: where the card lands, what it costs,
and what happens when a token, the board or the list is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.capture_cli.helpers import BOARD, ROOT, Cli, board, cards_in, lists, named, requests
from trello_tui.sandbox import Sandbox
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    sb = Sandbox.create(seed="demo")
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        yield Cli(sb, tmp_path, url)


def outbox_rows(cli: Cli) -> int:
    return Outbox(cli.home / "state" / "outbox.sqlite3").count()


def test_the_card_lands_in_the_right_list_and_place_with_its_tokens(cli: Cli) -> None:
    sb = cli.sb
    todo, doing, done = lists(sb)
    member = {m.username: m for m in sb.world.members.values()}
    label = {lb.name: lb for lb in sb.world.labels.values() if lb.id_board == board(sb).id}

    # Cold cache: the board is loaded once; the card goes to the bottom of the first list.
    warm = cli.add("Warm up", "--board", BOARD)
    assert warm.returncode == 0, warm.stderr
    (card,) = named(sb, "Warm up")
    assert warm.stdout.strip() == f"https://trello.com/c/{card.short_link}/{card.id_short}-warm-up"
    assert cards_in(sb, todo)[-1].id == card.id

    # Warm cache: exactly one request, the create.
    before = requests(sb)
    text = "Fix login #blocker @sam due:{2026-12-01 17:00} ^Doing ^top -- the token expires"
    done_ = cli.add(text, "--board", BOARD)
    assert done_.returncode == 0, done_.stderr
    assert requests(sb) - before == 1
    (card,) = named(sb, "Fix login")
    assert card.id_list == doing.id and cards_in(sb, doing)[0].id == card.id
    assert card.id_labels == [label["Blocker"].id]
    assert card.id_members == [member["sam"].id]
    assert card.due == "2026-12-01T17:00:00.000Z"
    assert card.desc == "the token expires"
    assert done_.stdout.strip().startswith(f"https://trello.com/c/{card.short_link}/")

    # ^N is 1-based; --list is the default list; --json describes the card; @me is the user
    # (asked once, then remembered: the next capture is one request again).
    third = cards_in(sb, done)[1]
    out = cli.add("Second in Done #visual @me ^2", "--board", BOARD, "--list", "done", "--json")
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    (card,) = named(sb, "Second in Done")
    assert record["status"] == "created" and record["id"] == card.id
    assert record["list_id"] == done.id and record["url"].endswith("-second-in-done")
    assert [c.id for c in cards_in(sb, done)][1:3] == [card.id, third.id]
    assert card.id_members == [member[sb.credentials.me].id]
    assert card.id_labels == [label["Visual"].id]
    before = requests(sb)
    again = cli.add("Mine too @me", "--board", board(sb).short_link)
    assert again.returncode == 0, again.stderr
    assert requests(sb) - before == 1
    assert named(sb, "Mine too")[0].id_members == [member[sb.credentials.me].id]


def test_a_bad_token_names_the_candidates_and_creates_nothing(cli: Cli) -> None:
    sb = cli.sb
    assert cli.add("Warm up", "--board", BOARD).returncode == 0
    count = len(sb.world.cards)

    unknown = cli.add("Oops #nosuch", "--board", BOARD)
    assert unknown.returncode == 1
    assert "#nosuch matches no label" in unknown.stderr
    assert "Copy (yellow), Visual (purple), Blocker (red)" in unknown.stderr

    several = cli.add("Oops ^Do", "--board", BOARD)
    assert several.returncode == 1
    assert "^Do matches several lists: Doing, Done" in several.stderr

    # One bad line in a batch: nothing at all is created.
    batch = cli.add("-", "--board", BOARD, "--json", stdin="Fine one\nBad @nobody\nFine two\n")
    assert batch.returncode == 1
    assert "line 2: @nobody matches no member" in batch.stderr
    problem = json.loads(batch.stdout)
    assert problem["status"] == "error" and problem["line"] == 2
    assert "@sam (Sam Okafor)" in problem["errors"][0]["candidates"]
    assert len(sb.world.cards) == count
    assert outbox_rows(cli) == 0


def test_setup_problems_are_explained(cli: Cli) -> None:
    no_board = cli.add("A card")
    assert no_board.returncode == 2
    assert "--board" in no_board.stderr and "[capture]" in no_board.stderr

    no_creds = cli.run("add", "A card", "--board", BOARD, TRELLO_API_KEY="", TRELLO_TOKEN="")
    assert no_creds.returncode == 2 and "no Trello credentials" in no_creds.stderr

    wrong = cli.add("A card", "--board", "Nope")
    assert wrong.returncode == 1
    assert "no board named 'Nope'" in wrong.stderr and "Website Relaunch" in wrong.stderr

    bad_list = cli.add("A card", "--board", BOARD, "--list", "Nowhere")
    assert bad_list.returncode == 1
    assert "list 'Nowhere' matches no list; lists here: To do, Doing, Done" in bad_list.stderr
    assert not named(cli.sb, "A card")

    # [capture] in config.toml gives the defaults.
    cli.write_config('[capture]\nboard = "website relaunch"\nlist = "Doing"\n')
    from_config = cli.add("From the config")
    assert from_config.returncode == 0, from_config.stderr
    doing = lists(cli.sb)[1]
    assert named(cli.sb, "From the config")[0].id_list == doing.id


CHECK = """
import sys
from trello_tui import cli
code = cli.main(sys.argv[1:])
print("textual loaded:", "textual" in sys.modules, "exit:", code)
"""


def test_add_never_loads_textual(cli: Cli) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, "add", "No Textual here", "--board", BOARD],
        cwd=ROOT,
        env=cli.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "textual loaded: False exit: 0" in done.stdout
    assert named(cli.sb, "No Textual here")


def test_a_cold_cache_loads_the_board_once(cli: Cli) -> None:
    sb = cli.sb
    by_id = board(sb).id
    before = requests(sb)
    done = cli.add("Cold by id", "--board", by_id)
    assert done.returncode == 0, done.stderr
    assert requests(sb) - before == 2  # the board, then the card
    assert named(sb, "Cold by id")

    missing = cli.add("Nowhere", "--board", "0123456789abcdef01234567")
    assert missing.returncode == 1
    assert "no board with the id '0123456789abcdef01234567'" in missing.stderr


def test_a_name_newer_than_the_cache_is_looked_up_once_more(cli: Cli) -> None:
    sb = cli.sb
    assert cli.add("Warm up", "--board", BOARD).returncode == 0
    creds = sb.credentials
    made = httpx.post(
        f"{cli.url}/labels",
        params={"name": "Fresh", "color": "lime", "idBoard": board(sb).id},
        headers={"Authorization": Credentials(key=creds.key, token=creds.token).authorization()},
    )
    assert made.status_code == 200, made.text
    before, posts = requests(sb), sb.stats["routes"]["POST /cards"]["requests"]
    done = cli.add("Uses the new label #fresh", "--board", BOARD)
    assert done.returncode == 0, done.stderr
    # One board refresh (the board and its newest action: one /batch, or two requests when
    # the queue sends them apart), then the create.
    assert sb.stats["routes"]["POST /cards"]["requests"] - posts == 1
    assert requests(sb) - before in (2, 3)
    assert named(sb, "Uses the new label")[0].id_labels == [made.json()["id"]]
