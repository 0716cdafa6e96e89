"""Automation without the UI: card events classified from Trello actions (notify), the
``[[triggers]]`` commands they start (triggers) and ``trello-tui watch`` (watch, watcher).
Never imports Textual."""
