"""api: the HTTP API and web UI of ``skywitness serve`` (FastAPI; docs/api.md).

``create_app(service)`` gives the ASGI app bound to a running ``runtime.service.Service``.
"""

from .app import create_app

__all__ = ["create_app"]
