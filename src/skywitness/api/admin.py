"""The routes that change state, each behind the API token: re-reading the watch rules and
importing an aircraft database (a job of the catalogue's one writer thread)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Header, HTTPException, Query, Request

from ..errors import SkywitnessError
from ..identify import import_aircraft
from ..identify.formats import KINDS
from ..runtime.service import Service
from . import params as P

#: Largest aircraft database accepted in one request, bytes.
IMPORT_MAX_BYTES = 256 * 1024 * 1024

Auth = Annotated[str | None, Header(alias="Authorization", include_in_schema=False)]


def router(service: Service) -> APIRouter:
    r = APIRouter()
    cfg = service.config

    @r.post("/api/rules/reload", summary="re-read the --rules file (token)")
    def rules_reload(authorization: Auth = None) -> Any:
        P.require_token(authorization, cfg.token)
        if service.watch is None or cfg.rules is None:
            raise HTTPException(409, "no watch rules: start the server with --rules FILE")
        try:
            n = int(service.watch.reload())
        except SkywitnessError as exc:
            raise HTTPException(400, str(exc)) from exc
        service.rules_loaded = n
        return {"rules": n}

    @r.post("/api/import", summary="import an aircraft database file (token)")
    async def import_db(
        request: Request,
        kind: Annotated[str, Query(max_length=32)],
        name: Annotated[str | None, Query(max_length=64)] = None,
        authorization: Auth = None,
    ) -> Any:
        P.require_token(authorization, cfg.token)
        if kind not in KINDS:
            raise HTTPException(400, f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > IMPORT_MAX_BYTES:
            raise HTTPException(413, f"body larger than {IMPORT_MAX_BYTES} bytes")
        store = service.store
        if store is None:
            raise HTTPException(409, "this server runs without a store (start it with --data-dir)")
        fd, tmp = tempfile.mkstemp(prefix="skywitness-import-")
        try:
            size = 0
            with os.fdopen(fd, "wb") as fh:
                async for part in request.stream():
                    size += len(part)
                    if size > IMPORT_MAX_BYTES:
                        raise HTTPException(413, f"body larger than {IMPORT_MAX_BYTES} bytes")
                    fh.write(part)
            if size == 0:
                raise HTTPException(400, "empty body: send the aircraft DB file as the body")
            try:  # a job of the catalogue's one writer thread
                report = store.write(lambda con: import_aircraft(con, tmp, kind, source=name))
            except (ValueError, OSError, duckdb.Error) as exc:  # a body that is not that kind
                raise HTTPException(400, f"not a {kind} aircraft DB: {exc}") from exc
            if service.snapshots is not None:
                service.snapshots.identities.clear()
            return {"kind": kind, "report": report.as_dict()}
        finally:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()

    return r
