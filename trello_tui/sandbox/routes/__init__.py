"""Route modules; importing this package registers every ``/1`` route on ``router.API``."""

from trello_tui.sandbox.routes import (  # noqa: F401  (imported for their registrations)
    actions,
    batch,
    boards,
    cards,
    checklists,
    labels,
    lists,
    members,
    orgs,
    search,
    tokens,
    webhooks,
)
