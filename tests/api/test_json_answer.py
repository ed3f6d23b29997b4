"""``api.health.json_answer`` (``/api/stats``' answer): the same bytes as FastAPI's answer for
a returned dict (``jsonable_encoder`` then ``JSONResponse``), with and without values that
need the encoder."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from skywitness.api.health import json_answer


class Kind(StrEnum):
    ADSB = "adsb"


@dataclass
class Pair:
    a: int
    b: float


PLAIN: dict[str, Any] = {
    "now": 1733446800.123,
    "frames": 5_000_000,
    "lag_s": 0.0,
    "tracker_ok": True,
    "store": None,
    "rejects": dict(sorted(Counter({"bad_crc": 3, "df_unknown": 1}).items())),
    "by_source": {"beast": Counter({"short": 2})},
    "sources": [{"spec": "beast+tcp://127.0.0.1:30005", "clock_drift_s": np.float64(0.25)}],
    "pair": (1, 2.5),
    "kind": Kind.ADSB,
    "text": 'Zürich \u2014 "quoted"',
    "big": 2**53 + 1,
}


@pytest.mark.parametrize(
    "body",
    [PLAIN, {**PLAIN, "set": {"a"}}, {**PLAIN, "dc": Pair(1, 0.5)}, {}],
    ids=["plain", "set", "dataclass", "empty"],
)
def test_same_bytes_as_fastapi(body: dict[str, Any]) -> None:
    want = JSONResponse(jsonable_encoder(body))
    got = json_answer(body)
    assert got.body == want.body
    assert got.headers.items() == want.headers.items()


def test_nan_still_refused() -> None:
    with pytest.raises(ValueError):
        JSONResponse(jsonable_encoder({"x": float("nan")}))
    with pytest.raises(ValueError):
        json_answer({"x": float("nan")})
