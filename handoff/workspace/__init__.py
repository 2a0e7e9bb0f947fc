"""The consultant workspace: sign in, the live queue, tickets, canned replies, statistics.

Pages rendered on the server over the handoff services, at /workspace; `bot.app` includes
`router`. Japanese by default, English as an option, through the shared Babel catalogs.
"""

from __future__ import annotations

from handoff.workspace.routes import router

__all__ = ["router"]
