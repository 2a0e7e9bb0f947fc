"""The workspace's routers, one per resource, gathered under /workspace."""

from __future__ import annotations

from fastapi import APIRouter

from handoff.workspace.routes import canned, queue, signin, static, stats, ticket
from handoff.workspace.web import PREFIX, WorkspaceRoute

router = APIRouter(prefix=PREFIX, route_class=WorkspaceRoute, include_in_schema=False)
for part in (signin, queue, ticket, canned, stats, static):
    router.include_router(part.router)

__all__ = ["router"]
