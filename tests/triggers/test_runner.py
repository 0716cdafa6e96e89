"""The trigger runner: filters, the environment, safety, failures, once per event."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from trello_tui.automation.notify import CardEvent, Me, Person
from trello_tui.automation.triggers import (
    SeenStore,
    TriggerResult,
    TriggerRunner,
    environment,
    matches,
)
from trello_tui.config.settings import Trigger, parse_settings

SAM = Person("5" * 24, "sam", "Sam Rivera")
ALEX = Person("a" * 24, "alex", "Alex Kim")
EVIL = 'x"; touch /tmp/pwned; echo $(id) `rm -rf ~`'


def event(**changes: object) -> CardEvent:
    base = CardEvent(
        kind="card_moved",
        key="act1:card_moved",
        board_id="b" * 24,
        board_name="Website Relaunch",
        card_id="c" * 24,
        card_name="Fix login",
        card_url="https://trello.com/c/abcdefgh",
        list_id="d" * 24,
        list_name="Done",
        list_before_name="Doing",
        member=SAM,
        actor=SAM,
        labels=(("l" * 24, "Bug", "red"),),
        card_members=(ALEX,),
        action_id="act1",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def recorder(path: Path, *fields: str) -> tuple[str, ...]:
    """A trigger command appending the named environment variables (JSON) to ``path``."""
    code = (
        "import json, os, sys; values = [os.environ.get(k) for k in sys.argv[2:]]; "
        "open(sys.argv[1], 'a').write(json.dumps(values) + '\\n')"
    )
    return (sys.executable, "-c", code, str(path), *fields)


def lines(path: Path) -> list[list[str | None]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_filters_by_name_or_id_ignoring_case() -> None:
    e = event()
    assert matches(Trigger("card_moved", ("true",)), e)
    assert not matches(Trigger("card_created", ("true",)), e)
    assert matches(Trigger("card_moved", ("true",), list="done"), e)
    assert matches(Trigger("card_moved", ("true",), list="D" * 24), e)
    assert not matches(Trigger("card_moved", ("true",), list="Doing"), e)  # the list after
    assert matches(Trigger("card_moved", ("true",), board="website relaunch"), e)
    assert not matches(Trigger("card_moved", ("true",), board="Personal"), e)
    for label in ("bug", "RED", "l" * 24):
        assert matches(Trigger("card_moved", ("true",), label=label), e)
    assert not matches(Trigger("card_moved", ("true",), label="feature"), e)
    for member in ("sam", "Sam Rivera", "alex", "5" * 24):  # who did it, or on the card
        assert matches(Trigger("card_moved", ("true",), member=member), e)
    assert not matches(Trigger("card_moved", ("true",), member="jordan"), e)
    assert matches(Trigger("card_moved", ("true",), member="me"), e, Me(None, "alex"))
    assert not matches(Trigger("card_moved", ("true",), member="me"), e, Me(None, "jordan"))


def test_environment_carries_the_fields_and_no_secrets() -> None:
    base = {"PATH": "/usr/bin", "TRELLO_TOKEN": "secret-token", "TRELLO_API_KEY": "secret-key"}
    env = environment(event(card_name=EVIL), base)
    assert env["PATH"] == "/usr/bin"
    assert "secret-token" not in env.values() and "secret-key" not in env.values()
    assert env["TRELLO_CARD_NAME"] == EVIL
    assert env["TRELLO_EVENT"] == "card_moved"
    assert env["TRELLO_LIST_NAME"] == "Done" and env["TRELLO_LIST_BEFORE"] == "Doing"
    assert env["TRELLO_BOARD_NAME"] == "Website Relaunch"
    assert env["TRELLO_CARD_URL"] == "https://trello.com/c/abcdefgh"
    assert env["TRELLO_CARD_ID"] == "c" * 24
    assert env["TRELLO_MEMBER"] == "sam" and env["TRELLO_MEMBER_NAME"] == "Sam Rivera"
    assert env["TRELLO_LABELS"] == "Bug" and env["TRELLO_MEMBERS"] == "alex"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_card_name_makes_a_valid_environment(name: str) -> None:
    env = environment(event(card_name=name), {})
    value = env["TRELLO_CARD_NAME"]
    assert "\0" not in value
    value.encode("utf-8")  # no lone surrogates: the OS accepts it
    if "\0" not in name and name == name.encode("utf-8", "replace").decode("utf-8"):
        assert value == name


async def test_a_hostile_card_name_runs_nothing_unintended(tmp_path: Path) -> None:
    out = tmp_path / "names.jsonl"
    pwned = Path("/tmp/pwned")
    existed = await asyncio.to_thread(pwned.exists)
    name = EVIL.replace("/tmp/pwned", str(tmp_path / "pwned"))
    results: list[TriggerResult] = []
    trigger = Trigger("card_moved", recorder(out, "TRELLO_CARD_NAME"), list="Done")
    runner = TriggerRunner([trigger], results.append, seen=SeenStore(tmp_path / "seen.sqlite3"))
    # The name also reaches argv: a trigger that passes it on as an argument is safe too.
    echo = Trigger("card_moved", (sys.executable, "-c", "import sys; print(sys.argv[1:])", name))
    runner.triggers += (echo,)
    await runner.handle(event(card_name=name))
    assert lines(out) == [[name]]  # verbatim
    assert not await asyncio.to_thread((tmp_path / "pwned").exists)
    assert existed or not await asyncio.to_thread(pwned.exists)
    assert [r.ok for r in results] == [True, True]
    assert await asyncio.to_thread(Path.home().exists)


async def test_failures_are_reported_and_the_next_event_still_runs(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    results: list[TriggerResult] = []
    triggers = [
        Trigger(
            "card_moved", (sys.executable, "-c", "import sys; sys.exit('boom: disk full')"), line=3
        ),
        Trigger("card_moved", ("trello-tui-no-such-program",), line=7),
        Trigger("card_moved", (sys.executable, "-c", "import time; time.sleep(30)"), line=11),
        Trigger("card_moved", recorder(out, "TRELLO_CARD_NAME"), line=15),
    ]
    runner = TriggerRunner(
        triggers, results.append, seen=SeenStore(tmp_path / "seen.sqlite3"), timeout_s=1.0
    )
    started = time.monotonic()
    runner.submit([event(key="a:card_moved"), event(key="b:card_moved", card_name="Second")])
    await runner.drain(20)
    took = time.monotonic() - started
    failed = sorted((r.trigger.line or 0, r.code, r.detail) for r in results if not r.ok)
    assert len(results) == 8 and len(failed) == 6
    assert failed[0] == (3, 1, "exited with 1: boom: disk full")
    assert failed[2][0] == 7 and "'trello-tui-no-such-program' was not found" in failed[2][2]
    assert failed[4][0] == 11 and failed[4][2] == "timed out after 1 s (stopped)"
    assert "config.toml line 3" in next(r.text for r in results if r.trigger.line == 3)
    assert sorted(lines(out)) == [["Fix login"], ["Second"]]
    assert took < 10  # the timeout stopped the sleeper


async def test_each_event_runs_once_across_stores_and_restarts(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    trigger = Trigger("card_moved", recorder(out, "TRELLO_CARD_NAME"))
    path = tmp_path / "seen.sqlite3"
    app = TriggerRunner([trigger], lambda r: None, seen=SeenStore(path))
    watcher = TriggerRunner([trigger], lambda r: None, seen=SeenStore(path))
    e = event()
    # the app and `trello-tui watch` see the same move at the same time
    await asyncio.gather(app.handle(e), watcher.handle(e), app.handle(e))
    await app.aclose()
    await watcher.aclose()
    restarted = TriggerRunner([trigger], lambda r: None, seen=SeenStore(path))
    assert await restarted.handle(e) == []
    assert len(await restarted.handle(event(key="act2:card_moved"))) == 1
    await restarted.aclose()
    assert lines(out) == [["Fix login"], ["Fix login"]]
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_stores_opened_at_the_same_moment_claim_an_event_once(tmp_path: Path) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    # the app and `watch` creating the file together: switching it to WAL can answer
    # "locked" at once, which must not make either forget what the other claimed
    for attempt in range(25):
        path = tmp_path / f"seen{attempt}.sqlite3"
        problems: list[str] = []
        stores = [SeenStore(path, report=problems.append) for _ in range(4)]
        start = threading.Barrier(len(stores))

        def claim(store: SeenStore, start: threading.Barrier = start) -> bool:
            start.wait()
            return store.claim("act1")

        with ThreadPoolExecutor(len(stores)) as pool:
            claimed = list(pool.map(claim, stores))
        assert claimed.count(True) == 1 and problems == [], (attempt, problems)
        for store in stores:
            store.close()


async def test_old_events_and_unmatched_events_run_nothing(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    out = tmp_path / "out.jsonl"
    runner = TriggerRunner(
        [Trigger("card_moved", recorder(out, "TRELLO_CARD_NAME"), list="Done")],
        lambda r: None,
        seen=SeenStore(tmp_path / "seen.sqlite3"),
    )
    old = datetime.now(UTC) - timedelta(days=3)
    assert await runner.handle(event(date=old)) == []
    assert await runner.handle(event(list_name="Doing", list_id="x")) == []
    assert runner.runs == 0 and not out.exists()


async def test_an_unusable_store_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    problems: list[str] = []
    store = SeenStore(blocker / "seen.sqlite3", report=problems.append)
    assert store.claim("k") and not store.claim("k")
    assert problems and "remember events only until exit" in problems[0]


def test_triggers_parse_from_config(tmp_path: Path) -> None:
    raw = b"""
[[triggers]]
on = "card_moved"
list = "Done"
run = ["notify-send", "Done"]
"""
    loaded = parse_settings(raw, tmp_path / "config.toml")
    assert loaded.issues == ()
    [trigger] = loaded.settings.triggers
    assert matches(trigger, event()) and trigger.line == 2
    assert os.environ.get("TRELLO_TOKEN", "") not in environment(event()).values() or not (
        os.environ.get("TRELLO_TOKEN")
    )


def test_the_readme_example_parses_and_matches(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Triggers and notifications", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    loaded = parse_settings(example.encode(), tmp_path / "config.toml")
    assert loaded.issues == ()
    done, bugs, mentions = loaded.settings.triggers
    assert matches(done, event())
    assert matches(bugs, event(kind="card_assigned", member=ALEX), Me(None, "alex"))
    assert not matches(
        bugs, event(kind="card_assigned", member=SAM, card_members=()), Me(None, "alex")
    )
    assert mentions.run[:2] == ("sh", "-c") and "$TRELLO_CARD_NAME" in mentions.run[2]
