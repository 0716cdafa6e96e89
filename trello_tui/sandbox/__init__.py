"""A Trello-compatible API server: the demo's backend and the tests' Trello.

Knows nothing of the client code. ``Sandbox.create(seed)`` builds a world; ``sb.app`` is the
Starlette app (routes under ``/1``). See ``notes/sandbox-contract.md`` for the interface.
"""

from trello_tui.sandbox import routes as _routes  # noqa: F401  (registers the /1 routes)
from trello_tui.sandbox.auth import Credentials
from trello_tui.sandbox.core import Sandbox, SandboxConfig
from trello_tui.sandbox.faults import Faults
from trello_tui.sandbox.seeds import SeedError

__all__ = ["Credentials", "Faults", "Sandbox", "SandboxConfig", "SeedError"]
