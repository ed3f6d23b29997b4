"""Fuzz targets that misbehave on purpose, on inputs chosen by their bytes' CRC, for the
harness's own tests (``fuzz.run`` with ``SKYWITNESS_FUZZ_TARGETS`` naming this module): one
raises, one kills its process, one spins, one fails only in its deferred check."""

from __future__ import annotations

import os
import random
import signal
import time
import zlib

from fuzz.targets import Target


def chosen(data: bytes, every: int) -> bool:
    return zlib.crc32(data) % every == 1


def _raise(data: bytes, _r: random.Random) -> None:
    if chosen(data, 40):
        raise ValueError("chosen input")


def _die(data: bytes, _r: random.Random) -> None:
    if chosen(data, 100):
        os.kill(os.getpid(), signal.SIGSEGV)


def _spin(data: bytes, _r: random.Random) -> None:
    while chosen(data, 150):
        pass


def _block(data: bytes, _r: random.Random) -> None:
    if chosen(data, 150):
        time.sleep(60)  # no CPU used: the parent's watch kills it


def _defer(data: bytes, _r: random.Random) -> bytes:
    return data


def _settle(left: list[bytes]) -> None:
    if any(chosen(d, 40) for d in left):
        raise ValueError("chosen input, deferred")


TARGETS = {
    t.name: t
    for t in (
        Target("raise", lambda: [], _raise),
        Target("die", lambda: [], _die),
        Target("spin", lambda: [], _spin),
        Target("block", lambda: [], _block),
        Target("defer", lambda: [], _defer, _settle),
    )
}


def all_seeds() -> dict[str, list[bytes]]:
    seeds = [bytes(range(k, k + 24)) for k in range(0, 200, 8)]
    return {name: seeds for name in TARGETS}
