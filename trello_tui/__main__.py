"""Allow ``python -m trello_tui``."""

from trello_tui.cli import main

raise SystemExit(main())
