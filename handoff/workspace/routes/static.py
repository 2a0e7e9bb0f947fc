"""The workspace's own stylesheet and script (nothing is loaded from elsewhere)."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Path, Response

from handoff.workspace.web import STATIC, PageError, WorkspaceRoute

router = APIRouter(route_class=WorkspaceRoute)

FILES = {
    "workspace.css": "text/css; charset=utf-8",
    "workspace.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
# Addresses carry the content hash (web.static_url), so a file may be kept for long.
CACHE = "public, max-age=31536000, immutable"


@cache
def _content(name: str) -> bytes:
    return (STATIC / name).read_bytes()


@router.get("/static/{name}")
def static_file(name: Annotated[str, Path(max_length=40)]) -> Response:
    """One of the workspace's static files."""
    if name not in FILES:
        raise PageError(404, "not-found")
    return Response(
        _content(name),
        media_type=FILES[name],
        headers={"Cache-Control": CACHE, "X-Content-Type-Options": "nosniff"},
    )
