"""``POST /api/check``: a claim from the news checked against the served store (docs/api.md).

The body carries the sentence and its publication date, and optionally the parsed fields as
the user edited them; the answer is the question read (fields, TOML, choices made) and the
verdict with the flights that fit. A read: it changes nothing (no token unless ``--auth read``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from ..claims import Gazetteer, build_gazetteer, parse_claim, to_toml
from ..claims.check import check_claim
from ..claims.fields import claim_fields, claim_from_fields
from ..errors import SkywitnessError
from ..evidence.places import Outlines
from ..runtime.service import Service
from ..store import Store
from ..web.basemap import basemap_geojson

#: Longest sentence accepted, characters.
SENTENCE_MAX = 1000


class CheckRequest(BaseModel):
    sentence: str = Field(min_length=1, max_length=SENTENCE_MAX)
    # bounded: year 1 minus the claim's look-back overflowed (a 500, found by schemathesis)
    published: date = Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))
    fields: dict[str, Any] | None = None  # the parsed fields, edited


def check_router(service: Service) -> APIRouter:
    """The route, bound to the service's store (its read cursor, under its read lock)."""
    router = APIRouter()
    cache: dict[str, Gazetteer] = {}
    shapes: list[Outlines] = []

    @router.post("/api/check", summary="check a claim: sentence -> question -> verdict")
    def check(body: CheckRequest) -> Any:
        con = service.read_connection()
        if con is None or service.config.data_dir is None:
            raise HTTPException(409, "this server runs without a store (start it with --data-dir)")
        with service.read_lock:
            if "g" not in cache:  # imported operators and types, country outlines: once
                cache["g"] = build_gazetteer(con)
                shapes.append(Outlines(json.loads(basemap_geojson())))
            try:
                if body.fields is None:
                    claim = parse_claim(body.sentence, body.published, cache["g"])
                else:
                    claim = claim_from_fields(body.sentence, body.published, body.fields)
                result = check_claim(Store.reader(con, service.config.data_dir), claim, shapes[0])
            except SkywitnessError as exc:
                raise HTTPException(400, str(exc)) from exc
        answer = result.as_dict()
        answer["fields"] = claim_fields(claim)
        answer["question_toml"] = to_toml(claim)
        return answer

    return router
