"""The first check of every request of the HTTP API: known Host names only (DNS rebinding),
bounded query strings and bodies (``/api/import``: ``admin.IMPORT_MAX_BYTES``, read on each
request; any other: ``BODY_MAX_BYTES``), and the token on reads under ``serve --auth read``.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from ..runtime.service import Service
from . import admin
from . import params as P
from .hosts import allowed_hosts, host_ok

#: Largest body of any other request (none reads one today), bytes.
BODY_MAX_BYTES = 64 * 1024


class Guard(BaseHTTPMiddleware):
    """Known Host names only (DNS rebinding), bounded query strings and bodies, and the token
    on reads when the service runs ``--auth read``."""

    def __init__(self, app: Any, service: Service) -> None:
        super().__init__(app)
        self.service = service
        cfg = service.config
        self.hosts = allowed_hosts(cfg.bind, tuple(getattr(cfg, "allowed_hosts", ())))

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if not host_ok(request.headers.get("host"), self.hosts):
            return JSONResponse(
                {"detail": "unknown Host: this server answers its own names only "
                 "(serve --allow-host NAME adds one)"},
                421,
            )  # fmt: skip
        if len(request.url.query.encode()) > P.MAX_QUERY_BYTES:
            return JSONResponse(
                {"detail": f"query string longer than {P.MAX_QUERY_BYTES} bytes"}, 414
            )
        declared = request.headers.get("content-length", "")
        limit = admin.IMPORT_MAX_BYTES if request.url.path == "/api/import" else BODY_MAX_BYTES
        if declared.isdigit() and int(declared) > limit:
            return JSONResponse({"detail": f"body larger than {limit} bytes"}, 413)
        cfg = self.service.config
        path = request.url.path
        guarded = cfg.auth_read and (path.startswith("/api/") or path.startswith("/data/"))
        if guarded and not P.bearer_ok(request.headers.get("authorization"), cfg.token):
            return JSONResponse(
                {"detail": "this server requires 'Authorization: Bearer <token>' for reads"},
                401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return await call_next(request)
