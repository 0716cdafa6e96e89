"""The ``trello-tui`` command line.

Subcommands import what they need lazily: ``add`` and ``sync`` must never load Textual, so
that capture from a shell stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

Handler = Callable[[argparse.Namespace], int]


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from trello_tui.sandbox.serve import run_from_cli

    return run_from_cli(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from trello_tui.ui.launch import run_demo

    return run_demo(args)


def _cmd_sync(args: argparse.Namespace) -> int:
    from trello_tui.sync.cli import run_from_cli

    return run_from_cli(args)


def _cmd_watch(args: argparse.Namespace) -> int:
    from trello_tui.automation.watch import run_from_cli

    return run_from_cli(args)


def _cmd_add(args: argparse.Namespace) -> int:
    from trello_tui.capture.cli import run_from_cli

    return run_from_cli(args)


def _cmd_auth(args: argparse.Namespace) -> int:
    from trello_tui.setup.auth import run

    return run(args)


def _cmd_doctor(args: argparse.Namespace) -> int:
    from trello_tui.setup.doctor import run

    return run(args)


def _cmd_export(args: argparse.Namespace) -> int:
    from trello_tui.export.command import run_from_cli

    return run_from_cli(args)


def _add_export_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``export`` (trello_tui/export/command.py reads the cache only when it runs)."""
    export = sub.add_parser(
        "export",
        help="write a cached board as Trello's JSON export, Markdown or CSV",
        description="Export a board from the local cache (no network). JSON is Trello's own "
        "board-export shape; the sandbox imports it (trello-tui sandbox --seed FILE).",
    )
    export.add_argument("board", metavar="BOARD", help="board id, short link or name")
    export.add_argument(
        "--format", choices=("json", "markdown", "csv"), default="json", help="default: json"
    )
    export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(handler=_cmd_export)


def _add_sync_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``sync`` (trello_tui/sync/cli.py, imported only when it runs: it loads the engine)."""
    parser = sub.add_parser(
        "sync", help="refresh the offline cache and send queued writes, without the UI"
    )
    parser.add_argument(
        "--board",
        action="append",
        metavar="B",
        help="a board id, short link or name (repeatable); default: cached and pending boards",
    )
    parser.add_argument("--all", action="store_true", help="every open board of yours")


def _cmd_config_init(args: argparse.Namespace) -> int:
    from trello_tui.config.settings import write_config_template

    try:
        path = write_config_template(force=args.force)
    except FileExistsError as error:
        print(f"trello-tui: {error.filename} exists; --force replaces it", file=sys.stderr)
        return 1
    print(f"Wrote {path}: every setting, commented out, with its default.")
    return 0


def _add_setup_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``auth``, ``doctor`` and ``config init`` (their modules load only when run)."""
    auth = sub.add_parser("auth", help="sign in: get, verify and save your Trello credentials")
    auth.add_argument("--oauth", action="store_true", help="use the OAuth 1.0a three-legged flow")
    auth.add_argument(
        "--expiration",
        choices=("1hour", "1day", "30days", "never"),
        help="how long the token lasts (asked when omitted)",
    )
    auth.add_argument("--api-url", help="the API root (default: Trello's, or TRELLO_API_URL)")
    auth.add_argument("--no-browser", action="store_true", help="only print the page to open")
    auth.set_defaults(handler=_cmd_auth)
    doctor = sub.add_parser("doctor", help="check credentials, connection, cache and outbox")
    doctor.set_defaults(handler=_cmd_doctor)
    config = sub.add_parser("config", help="config.toml: `config init` writes a commented one")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = config_sub.add_parser("init", help="write a commented config.toml template")
    init.add_argument("--force", action="store_true", help="replace an existing config.toml")
    init.set_defaults(handler=_cmd_config_init)


def _cmd_tui(args: argparse.Namespace) -> int:
    from trello_tui.ui.launch import run_tui

    return run_tui(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trello-tui",
        description="A keyboard-driven terminal client for Trello.",
    )
    parser.add_argument("--board", help="open this board (name, id or short link)")
    parser.add_argument("--offline", action="store_true", help="read only the local cache")
    parser.set_defaults(handler=_cmd_tui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the app on the built-in sandbox (no account needed)")
    demo.add_argument("--seed", default="demo", help="demo | empty | cards:N | PATH")
    demo.add_argument(
        "--teammate",
        type=float,
        default=8.0,
        metavar="SECONDS",
        help="a simulated teammate changes something every SECONDS (0: never)",
    )
    demo.set_defaults(handler=_cmd_demo)

    sandbox = sub.add_parser("sandbox", help="serve the Trello-compatible sandbox API")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=0, help="0 picks a free port")
    sandbox.add_argument("--seed", default="demo", help="demo | empty | cards:N | PATH")
    sandbox.add_argument("--state", default=None, metavar="FILE", help="persist the world here")
    sandbox.add_argument("--admin", action="store_true", help="enable the /_sandbox/ admin API")
    sandbox.add_argument(
        "--admin-token",
        default=None,
        metavar="TOKEN",
        help="the admin API's bearer token (default: $TRELLO_SANDBOX_ADMIN_TOKEN, else a new one, "
        "printed with the credentials)",
    )
    sandbox.add_argument(
        "--seeds",
        default=None,
        metavar="DIR",
        help="the folder from which POST /_sandbox/reset may read seed files",
    )
    sandbox.add_argument(
        "--faults",
        default=None,
        metavar="SPEC",
        help="start with faults, e.g. latency_s=0.2,error_rate=0.1,drop_rate=0.05,burst_429=20",
    )
    sandbox.add_argument(
        "--teammate",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="a simulated teammate changes something every SECONDS",
    )
    sandbox.set_defaults(handler=_cmd_sandbox)

    _add_sync_parser(sub)
    sub.choices["sync"].set_defaults(handler=_cmd_sync)
    from trello_tui.automation.watch import add_parser as add_watch_parser

    add_watch_parser(sub)
    sub.choices["watch"].set_defaults(handler=_cmd_watch)

    add = sub.add_parser(
        "add",
        help='capture a card: trello-tui add "Fix login #bug @alice due:fri ^top"',
        description="Create a card from one line of Trello's composer syntax: #label, "
        "@member, ^top/^bottom/^N/^List, due:fri, a description after ' -- '. "
        "Give - to read one card per line from stdin.",
    )
    add.add_argument("text", nargs="+", help="the card (quote it), or - for stdin")
    add.add_argument("--board", metavar="B", help="board id, short link or name")
    add.add_argument("--list", metavar="L", help="list for cards without ^List")
    add.add_argument("--json", action="store_true", help="print one JSON object per card")
    add.set_defaults(handler=_cmd_add)
    _add_setup_parsers(sub)
    _add_export_parser(sub)
    return parser


def _skip_httpx_cli() -> None:
    """Keep httpx from importing its own command-line tool on ``import httpx``.

    httpx's ``__init__`` imports ``httpx._main`` whenever rich and click are installed (Textual
    brings rich, uvicorn brings click): about 0.3 s of imports no subcommand uses, which would
    blow the quick-capture budget. A module marked absent makes httpx fall back to a stub.
    """
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


#: values that name files: any bytes the file system allows, so not checked for UTF-8
_PATH_ARGS = frozenset({"output", "state", "seeds", "seed", "handler"})
#: the subcommands that read credentials.toml
_READS_CREDENTIALS = frozenset({None, "add", "sync", "watch", "auth"})


def main(argv: Sequence[str] | None = None) -> int:
    _skip_httpx_cli()
    from trello_tui.cli_io import argv_problem, clean_streams, warn_exposed_credentials
    from trello_tui.store.db import StoreFault

    # argparse echoes a bad argument back: even that goes out clean.
    with clean_streams():
        parser = build_parser()
        args = parser.parse_args(argv)
        values = [(k, v) for k, v in vars(args).items() if k not in _PATH_ARGS]
        problem = argv_problem(values)
        if problem is not None:
            sys.stderr.write(f"trello-tui: {problem}\n")
            return 2
        if args.command in _READS_CREDENTIALS:
            warn_exposed_credentials(sys.stderr)
    handler: Handler = args.handler
    try:
        if handler in (_cmd_tui, _cmd_demo, _cmd_sandbox):
            return handler(args)  # Textual (or uvicorn's log) owns the terminal
        with clean_streams():
            return handler(args)
    except KeyboardInterrupt:
        return 130
    except StoreFault as fault:  # any command a local fault stops: the file and the fix
        from trello_tui.store.outbox import fault_note

        with clean_streams():
            sys.stderr.write(f"trello-tui: {fault_note(fault)}\n")
        return StoreFault.EXIT_CODE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
