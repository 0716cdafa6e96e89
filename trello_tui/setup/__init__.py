"""First run: credential formats, the authorize URL, verification and OAuth 1.0a, with the
messages that tell the user exactly what to fix. Used by ``trello-tui auth`` and ``doctor``.
Never imports Textual."""
