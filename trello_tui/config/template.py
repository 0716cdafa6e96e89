"""The commented config.toml that ``trello-tui config init`` writes.

Every setting is shown commented out with its default, so the file documents itself and
changes nothing until a line is uncommented. tests/config checks that uncommenting every line
gives a file that validates cleanly and matches the defaults.
"""

from __future__ import annotations

_TEMPLATE = """\
# trello-tui configuration.
#
# trello-tui only ever reads this file. What the app changes by itself (the last board, a
# theme picked in the app) is kept in state.toml, and your keys in credentials.toml.
# Every setting is optional; the values shown are the defaults. Uncomment a line to change
# it. A mistake is reported with its line number and the default is used instead.

# Colour theme; the app lists them under ctrl+p -> "theme".
# theme = "textual-dark"

# Compact mode: one line per card, less padding between cards.
# compact = false

# Trello's API root. TRELLO_API_URL or api_url in credentials.toml take precedence; point it
# at `trello-tui sandbox` to try things without an account.
# api_url = "https://api.trello.com/1"

[sync]
# Seconds between checks for changes while you are using the app.
# poll_active_s = 10
# Seconds between checks while the app is idle.
# poll_idle_s = 60
# Seconds between full reloads of the open board, to catch anything polling missed.
# full_refresh_s = 900
# Seconds `trello-tui add`, `sync`, `doctor` and `watch` wait for Trello to answer before they
# carry on without it (queued writes stay queued; the exit code says so).
# answer_within_s = 30
# Seconds the app waits for an answer before its status line says "Trello is slow (N s)".
# slow_after_s = 5

[webhooks]
# Live updates pushed by Trello instead of polling. Trello must reach a public https URL,
# so either give the URL of a tunnel you run yourself...
# public_url = "https://example.trycloudflare.com"
# ...or a command that starts one; trello-tui runs it and reads the URL it prints.
# A list of arguments (or one string, split like a shell would, but never run by a shell);
# {local_url} and {port} are replaced by where the receiver listens. For ngrok, add
# "--log", "stdout" so it prints its URL.
# tunnel_command = ["cloudflared", "tunnel", "--url", "{local_url}"]
# Where the local receiver listens (0: any free port). Keep bind on loopback.
# port = 0
# bind = "127.0.0.1"
# Remove our webhooks from Trello when the app exits.
# delete_on_exit = true

[capture]
# Defaults for `trello-tui add "Fix login #bug @alice due:fri ^top"`.
# The board and list, by name or id.
# board = "My board"
# list = "To Do"

[keymap]
# Rebind any action by its id (the help screen, ?, shows every id and key).
# The value is one or more Textual key names separated by commas:
# a character ("x", "H"), or enter, escape, tab, space, up, down, left, right, home, end,
# pageup, pagedown, f1-f24, question_mark, comma, full_stop, slash...; with modifiers
# ctrl+, alt+, shift+ (e.g. "ctrl+s", "shift+down").
# card.move-right = "ctrl+right,greater_than_sign"
# refresh = "r,f5"

# Triggers run a command when something happens on a board while the app (or
# `trello-tui watch`) is running. `run` is a list of arguments, never passed to a shell; the
# card's fields arrive as environment variables (TRELLO_CARD_NAME, TRELLO_CARD_URL, ...).
# `on` is one of: card_created, card_moved, card_assigned, card_archived, card_due_soon,
# comment_added, mentioned. board, list, label and member narrow it down (names or ids).
# [[triggers]]
# on = "card_moved"
# board = "My board"
# list = "Done"
# run = ["notify-send", "Card done"]
"""


def config_template() -> str:
    """The fully commented config.toml template."""
    return _TEMPLATE
