"""The live snapshot's identity cache follows the live set: aircraft no longer live are
forgotten once the cache holds many more than the live ones, the live ones are kept (never
identified twice), and what is given back is the same as a fresh cache's."""

from __future__ import annotations

import pytest

from skywitness.runtime import live
from skywitness.runtime.live import IdentityCache


def _keys(lo: int, hi: int) -> list[tuple[str, str]]:
    return [(f"{0x3C0000 + i:06x}", f"DLH{i}") for i in range(lo, hi)]


def test_the_cache_follows_the_live_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "IDENTITY_SLACK", 10)
    cache = IdentityCache(None)
    held = []
    for t in range(40):  # 20 live aircraft, 2 new (and 2 gone) per snapshot
        got = cache.get_many(_keys(2 * t, 2 * t + 20))
        assert list(got) == _keys(2 * t, 2 * t + 20)
        held.append(len(cache))
    # bound 2 * 20 + 10 = 50: cut back to the 20 live ones before a call identifies its new
    assert max(held) <= 52 and min(held[20:]) >= 20
    assert held[:16] == list(range(20, 52, 2))  # filled one snapshot at a time up to the bound
    fresh = IdentityCache(None).get_many(_keys(78, 98))
    assert cache.get_many(_keys(78, 98)) == fresh


def test_a_live_aircraft_is_not_identified_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "IDENTITY_SLACK", 0)
    cache = IdentityCache(None)
    first = cache.get_many(_keys(0, 10))
    for t in range(1, 30):  # aircraft 0-9 stay live while others come and go
        cache.get_many(_keys(0, 10) + _keys(10 + 5 * t, 15 + 5 * t))
    again = cache.get_many(_keys(0, 10))
    assert all(again[k] is first[k] for k in first)  # the same objects: kept, not redone


def test_classes_follow_the_live_set_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "IDENTITY_SLACK", 0)
    cache = IdentityCache(None, budget_s=0.0)  # one chunk per call: the rest classified only
    monkeypatch.setattr(live, "IDENTIFY_CHUNK", 1)
    for t in range(30):
        keys = _keys(3 * t, 3 * t + 4)
        done = cache.get_many(keys)
        pending = cache.classes([k for k in keys if k not in done])
        assert set(done) | set(pending) == set(keys)
    assert len(cache._classes) <= 2 * 4 + 4
