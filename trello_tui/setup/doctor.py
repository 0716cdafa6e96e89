"""``trello-tui doctor``: one line per check, each failing line with its fix.

Checks, in order: config.toml, credentials.toml, the formats of the key, token and app
secret, connectivity, whether Trello accepts the credentials and whose they are, the token's
scopes and expiry, OAuth signing, rate-limit headroom (from the answers' ``x-rate-limit-*``
headers), the offline cache, the outbox backlog, and webhooks/tunnel. The exit status is 1
when any check fails, so scripts can use it. No line ever shows a secret, and every line goes
through :func:`trello_tui.cli_io.clean` (a server's error text is shown, never obeyed). The
network checks together have one deadline (``[sync] answer_within_s``): a Trello that does not
answer in time fails ``connectivity`` and the local checks still run.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import sqlite3
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx

from trello_tui import paths
from trello_tui.cli_io import clean_streams
from trello_tui.cli_waits import DEFAULT_S, answer_within_s, no_answer
from trello_tui.config.settings import (
    LoadedSettings,
    StoredCredentials,
    load_credentials,
    load_settings,
    load_state,
    resolve_api_url,
)
from trello_tui.setup import formats
from trello_tui.setup.verify import explain, identity_from, remembered
from trello_tui.trello.errors import TrelloError, Unavailable

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
MARKS: Final = {OK: "✓", WARN: "!", FAIL: "✗", SKIP: "-"}
EXPIRY_WARN_S: Final = 3 * 86400.0
HEADROOM_WARN: Final = 0.2


@dataclasses.dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        fix = f" — fix: {self.fix}" if self.fix else ""
        return f"{MARKS[self.status]} {self.name}: {self.detail}{fix}"


class HeaderTap(httpx.AsyncBaseTransport):
    """Passes requests on and keeps the last answer's headers (for rate-limit headroom)."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None, api_url: str = "") -> None:
        self.inner = inner or _network_transport(api_url)
        self.headers: Mapping[str, str] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.headers = dict(response.headers)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def _network_transport(api_url: str) -> httpx.AsyncBaseTransport:
    """The real network, through the proxy the environment names (as the app's own client
    does: a transport of our own would otherwise bypass HTTPS_PROXY)."""
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(api_url)
    proxy = urllib.request.getproxies().get(parts.scheme or "https")
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        return httpx.AsyncHTTPTransport(proxy=proxy)
    return httpx.AsyncHTTPTransport()


# -- local checks ----------------------------------------------------------------------------


def check_config(loaded: LoadedSettings) -> Check:
    if not loaded.exists:
        return Check("config", OK, "no config.toml (defaults; `trello-tui config init` writes one)")
    if not loaded.issues:
        return Check("config", OK, f"{loaded.path} is valid")
    more = f" (+{len(loaded.issues) - 1} more)" if len(loaded.issues) > 1 else ""
    return Check(
        "config",
        WARN,
        f"{loaded.issues[0]}{more}; defaults used for those settings",
        f"edit {loaded.path}",
    )


def check_credentials_file(creds: StoredCredentials) -> Check:
    where = ", ".join(f"{name} from {src}" for name, src in sorted(creds.sources.items()))
    if creds.problems:
        status = FAIL if creds.exposed else WARN
        fix = "as each problem says" if status == FAIL else f"edit {paths.credentials_file()}"
        return Check("credentials", status, "; ".join(creds.problems), fix)
    if not creds.sources:
        return Check("credentials", FAIL, "none found", "run `trello-tui auth`")
    return Check("credentials", OK, where)


def check_formats(creds: StoredCredentials) -> list[Check]:
    out: list[Check] = []
    if not creds.api_key:
        out.append(Check("api key", FAIL, "missing", "run `trello-tui auth`"))
    elif problem := formats.key_problem(creds.api_key):
        out.append(Check("api key", FAIL, problem, "run `trello-tui auth`"))
    else:
        out.append(Check("api key", OK, "32 hex characters"))
    if not creds.token:
        out.append(Check("token", FAIL, "missing", "run `trello-tui auth`"))
    elif problem := formats.token_problem(creds.token):
        out.append(Check("token", FAIL, problem, "run `trello-tui auth`"))
    else:
        out.append(Check("token", OK, "well formed"))
    if creds.token_secret and not creds.api_secret:
        out.append(
            Check(
                "app secret",
                FAIL,
                "an OAuth token secret is saved but no app secret: requests cannot be signed",
                "set TRELLO_API_SECRET or run `trello-tui auth --oauth`",
            )
        )
    elif not creds.api_secret:
        out.append(Check("app secret", OK, "not set (needed only for webhooks and OAuth)"))
    elif problem := formats.secret_problem(creds.api_secret):
        out.append(Check("app secret", WARN, problem, "run `trello-tui auth` again"))
    else:
        out.append(Check("app secret", OK, "64 hex characters"))
    return out


def _open_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)


def check_cache(path: Path) -> Check:
    if not path.exists():
        return Check("cache", OK, "none yet (made when a board is first opened)")
    try:
        with _open_ro(path) as conn:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            boards = conn.execute("SELECT count(*) FROM boards").fetchone()[0]
    except sqlite3.Error as error:
        return Check(
            "cache", FAIL, f"{path} cannot be read ({error})", f"delete {path}; it is rebuilt"
        )
    if verdict != "ok":
        return Check("cache", FAIL, f"{path} is damaged ({verdict})", f"delete {path}")
    size = path.stat().st_size / 1e6
    return Check("cache", OK, f"{boards} board(s) cached, {size:.1f} MB, integrity ok")


def check_outbox(path: Path) -> Check:
    if not path.exists():
        return Check("outbox", OK, "empty")
    try:
        with _open_ro(path) as conn:
            rows = dict(conn.execute("SELECT state, count(*) FROM ops GROUP BY state").fetchall())
    except sqlite3.Error as error:
        return Check("outbox", FAIL, f"{path} cannot be read ({error})", "see the log file")
    waiting = rows.get("pending", 0) + rows.get("sent", 0)
    failed = rows.get("failed", 0)
    if failed:
        return Check(
            "outbox",
            WARN,
            f"{failed} change(s) refused by Trello, {waiting} waiting",
            "open the board in trello-tui to retry or discard them",
        )
    if waiting:
        return Check(
            "outbox", WARN, f"{waiting} change(s) not yet sent", "run trello-tui online to send"
        )
    return Check("outbox", OK, "empty: every change has reached Trello")


def check_tunnel(loaded: LoadedSettings, creds: StoredCredentials) -> Check | None:
    hooks = loaded.settings.webhooks
    if not hooks.enabled:
        return None
    if not creds.api_secret:
        return Check(
            "tunnel",
            FAIL,
            "webhooks are configured but there is no app secret to check deliveries",
            "run `trello-tui auth` and enter the app secret, or set TRELLO_API_SECRET",
        )
    if hooks.tunnel_command and shutil.which(hooks.tunnel_command[0]) is None:
        return Check(
            "tunnel",
            FAIL,
            f"the tunnel program {hooks.tunnel_command[0]!r} is not installed",
            "install it or change [webhooks] tunnel_command in config.toml",
        )
    what = hooks.public_url or " ".join(hooks.tunnel_command)
    return Check("tunnel", OK, f"configured ({what})")


# -- network checks --------------------------------------------------------------------------


def _headroom(headers: Mapping[str, str]) -> Check:
    parts: list[str] = []
    status = OK
    for scope, prefix in (
        ("token", "x-rate-limit-api-token"),
        ("key", "x-rate-limit-api-key"),
        ("member", "x-rate-limit-member"),
    ):
        try:
            left = int(headers[f"{prefix}-remaining"])
            most = int(headers[f"{prefix}-max"])
            seconds = int(headers[f"{prefix}-interval-ms"]) / 1000
        except (KeyError, ValueError):
            continue
        parts.append(f"{scope} {left}/{most} per {seconds:g} s")
        if most and left / most < HEADROOM_WARN:
            status = WARN
    if not parts:
        return Check("rate limit", SKIP, "Trello sent no rate-limit headers")
    fix = "close other programs using this token or key, and wait" if status == WARN else ""
    return Check("rate limit", status, "left: " + ", ".join(parts), fix)


async def network_checks(
    creds: StoredCredentials,
    api_url: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    now: datetime | None = None,
    within_s: float = DEFAULT_S,
) -> list[Check]:
    """The checks that ask Trello, all within ``within_s`` (httpx's timeouts are per read)."""
    out: list[Check] = []
    try:
        async with asyncio.timeout(within_s):
            await _network_checks(out, creds, api_url, transport=transport, now=now)
    except TimeoutError:
        fix = "check the network (and any proxy), or try again later"
        name = "answers" if any(c.name == "connectivity" for c in out) else "connectivity"
        out.append(Check(name, FAIL, f"{api_url}: {no_answer(within_s)}", fix))
    return out


async def _network_checks(
    out: list[Check],
    creds: StoredCredentials,
    api_url: str,
    *,
    transport: httpx.AsyncBaseTransport | None,
    now: datetime | None,
) -> None:
    from trello_tui.trello.client import TrelloClient

    client_creds = creds.for_client()
    assert client_creds is not None
    tap = HeaderTap(transport, api_url)
    known = remembered(load_state().extra, client_creds.token)
    async with TrelloClient(client_creds, base_url=api_url, transport=tap, timeout=10.0) as client:
        started = time.monotonic()
        try:
            member = await client.me()
        except TrelloError as error:
            problem = explain(error, base_url=api_url, known=known, now=now)
            if isinstance(error, Unavailable) and error.status is None:
                out.append(Check("connectivity", FAIL, problem.message, problem.fix))
                return
            ms = (time.monotonic() - started) * 1000
            out.append(Check("connectivity", OK, f"{api_url} answered in {ms:.0f} ms"))
            out.append(Check("credentials valid", FAIL, problem.message, problem.fix))
            return
        ms = (time.monotonic() - started) * 1000
        out.append(Check("connectivity", OK, f"{api_url} answered in {ms:.0f} ms"))
        out.append(Check("member", OK, f"signed in as @{member.username} ({member.full_name})"))
        try:
            token = await client.token_info()
            hooks = await client.webhooks()
        except TrelloError as error:
            problem = explain(error, base_url=api_url, known=known, now=now)
            out.append(Check("token", FAIL, problem.message, problem.fix))
            return
        who = identity_from(member, token)
        if who.read_only:
            out.append(
                Check(
                    "scopes",
                    FAIL,
                    f"{who.scope}: no write access, so trello-tui opens boards read-only",
                    "run `trello-tui auth` and approve read,write,account",
                )
            )
        else:
            out.append(Check("scopes", OK, who.scope))
        out.append(_expiry(who.expires, now or datetime.now(UTC)))
        if client_creds.signs:
            out.append(Check("signing", OK, "requests are signed with OAuth 1.0a (accepted)"))
        out.append(_headroom(tap.headers))
        out.append(_webhooks(hooks))


def _expiry(expires: datetime | None, now: datetime) -> Check:
    if expires is None:
        return Check("expiry", OK, "the token never expires")
    left = (expires - now).total_seconds()
    when = f"{expires:%Y-%m-%d %H:%M} UTC"
    if left < EXPIRY_WARN_S:
        hours = max(0.0, left / 3600)
        return Check(
            "expiry",
            WARN,
            f"the token expires on {when} (in {hours:.0f} h)",
            "run `trello-tui auth` for a new token before then",
        )
    return Check("expiry", OK, f"the token expires on {when} (in {left / 86400:.0f} days)")


def _webhooks(hooks: list[Any]) -> Check:
    if not hooks:
        return Check("webhooks", OK, "none registered for this token (polling)")
    failing = [h for h in hooks if getattr(h, "consecutive_failures", 0)]
    inactive = [h for h in hooks if not getattr(h, "active", True)]
    detail = f"{len(hooks)} registered, {len(failing)} failing, {len(inactive)} inactive"
    if failing or inactive:
        return Check("webhooks", WARN, detail, "check the tunnel; trello-tui falls back to polling")
    return Check("webhooks", OK, detail)


# -- the command -----------------------------------------------------------------------------


async def run_checks(
    *, transport: httpx.AsyncBaseTransport | None = None, now: datetime | None = None
) -> list[Check]:
    loaded = load_settings()
    creds = load_credentials()
    api_url = resolve_api_url(loaded.settings, creds)
    checks = [check_config(loaded), check_credentials_file(creds), *check_formats(creds)]
    if all(c.status != FAIL for c in checks if c.name in ("api key", "token")):
        within = answer_within_s(loaded.settings)
        checks.extend(
            await network_checks(creds, api_url, transport=transport, now=now, within_s=within)
        )
    else:
        checks.append(Check("connectivity", SKIP, "not tried without valid credentials"))
    checks.append(check_cache(paths.cache_db()))
    checks.append(check_outbox(paths.outbox_db()))
    tunnel = check_tunnel(loaded, creds)
    if tunnel is not None:
        checks.append(tunnel)
    return checks


def run(args: argparse.Namespace, transport: httpx.AsyncBaseTransport | None = None) -> int:
    """The ``doctor`` subcommand: print the checks; 1 when any failed."""
    with clean_streams():
        checks = asyncio.run(run_checks(transport=transport))
        for check in checks:
            print(check.line(), flush=True)
        failed = [c for c in checks if c.status == FAIL]
        if failed:
            print(f"{len(failed)} check(s) failed.")
            return 1
        print("All checks passed.")
        return 0
