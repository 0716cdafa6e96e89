"""Quick capture: the composer syntax parsed into a CardDraft (parse, dates), suggestions while
typing (assist), the operations a capture becomes (ops) and ``trello-tui add`` (cli)."""
