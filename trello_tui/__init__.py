"""trello-tui: a keyboard-driven terminal client for Trello."""

__version__ = "0.1.0"
