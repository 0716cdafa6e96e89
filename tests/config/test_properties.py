"""Hypothesis: no config file, however wrong, makes loading raise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trello_tui.config.settings import Settings, parse_settings

KEYS = st.sampled_from(
    [
        "theme",
        "compact",
        "api_url",
        "sync",
        "webhooks",
        "capture",
        "keymap",
        "triggers",
        "poll_active_s",
        "poll_idle_s",
        "full_refresh_s",
        "public_url",
        "tunnel_command",
        "port",
        "bind",
        "delete_on_exit",
        "board",
        "list",
        "on",
        "run",
        "label",
        "member",
        "refresh",
        "card.move-right",
        "help",
        "x",
    ]
)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["ctrl+s", "f5,r", "ctrl+", "https://x", "card_moved", "Enter"]),
)
VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=8)
PATH = Path("config.toml")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS, ids=st.one_of(st.none(), st.just({"refresh", "help"})))
def test_any_document_loads(document: dict[str, Any], ids: set[str] | None) -> None:
    loaded = parse_settings(tomli_w.dumps(document).encode(), PATH, binding_ids=ids)
    assert isinstance(loaded.settings, Settings)
    for issue in loaded.issues:
        assert str(issue).startswith("config.toml")


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_any_bytes_load(raw: bytes) -> None:
    loaded = parse_settings(raw, PATH)
    assert isinstance(loaded.settings, Settings)
