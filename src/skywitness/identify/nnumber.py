"""US civil registrations (N-numbers) <-> ICAO addresses A00001..ADF7C7, computed both ways.

The FAA assigns addresses to N-numbers in lexicographic order of a fixed grammar: ``N``, a first
digit 1-9, up to four more characters where digits may be followed by a suffix of one or two
letters (A-Z without I and O), at most five characters after the ``N``. Each position's
sub-tree size is fixed, so the mapping is arithmetic on the offset from A00001.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..model import Str
from .address import parse_icao24

#: First and last address of the N-number block (inclusive).
FIRST_ADDRESS = 0xA00001
LAST_ADDRESS = 0xADF7C7

#: Letters allowed in N-numbers (I and O are excluded, easily confused with 1 and 0).
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"

#: Sub-tree sizes (number of registrations) below each node.
SUFFIX_SIZE = 1 + len(LETTERS) * (1 + len(LETTERS))  # "", "A", "AA".."AZ", ... = 601
BUCKET4_SIZE = 1 + len(LETTERS) + len(DIGITS)  # after 4 digits: "", one letter or one digit = 35
BUCKET3_SIZE = len(DIGITS) * BUCKET4_SIZE + SUFFIX_SIZE  # 951
BUCKET2_SIZE = len(DIGITS) * BUCKET3_SIZE + SUFFIX_SIZE  # 10111
BUCKET1_SIZE = len(DIGITS) * BUCKET2_SIZE + SUFFIX_SIZE  # 101711


def _suffix(rem: int) -> str:
    """Letter suffix for an offset 0..600 inside a suffix sub-tree ("" for 0)."""
    if rem == 0:
        return ""
    first, second = divmod(rem - 1, len(LETTERS) + 1)
    return LETTERS[first] + (LETTERS[second - 1] if second else "")


def _suffix_offset(letters: str) -> int | None:
    if letters == "":
        return 0
    if len(letters) > 2 or any(c not in LETTERS for c in letters):
        return None
    off = 1 + LETTERS.index(letters[0]) * (len(LETTERS) + 1)
    return off + (LETTERS.index(letters[1]) + 1 if len(letters) == 2 else 0)


def n_number(address: int | str) -> str | None:
    """The N-number of an address in A00001..ADF7C7 (e.g. 0xAC671B -> "N899DN"), else None."""
    a = parse_icao24(address)
    if a is None or not FIRST_ADDRESS <= a <= LAST_ADDRESS:
        return None
    offset = a - FIRST_ADDRESS
    d1, rem = divmod(offset, BUCKET1_SIZE)
    out = "N" + DIGITS[d1 + 1]
    for size in (BUCKET2_SIZE, BUCKET3_SIZE):
        if rem < SUFFIX_SIZE:
            return out + _suffix(rem)
        digit, rem = divmod(rem - SUFFIX_SIZE, size)
        out += DIGITS[digit]
    if rem < SUFFIX_SIZE:
        return out + _suffix(rem)
    digit, rem = divmod(rem - SUFFIX_SIZE, BUCKET4_SIZE)
    out += DIGITS[digit]
    if rem == 0:
        return out
    if rem <= len(LETTERS):
        return out + LETTERS[rem - 1]
    return out + DIGITS[rem - 1 - len(LETTERS)]


def n_number_address(registration: str) -> int | None:
    """Address of a valid N-number ("N899DN" or "899DN", any case, no dashes), else None."""
    reg = registration.strip().upper().replace("-", "")
    if reg.startswith("N"):
        reg = reg[1:]
    if not 1 <= len(reg) <= 5 or reg[0] not in DIGITS[1:]:
        return None
    n_digits = len(reg) - len(reg.lstrip(DIGITS))
    digits, letters = reg[:n_digits], reg[n_digits:]
    if n_digits == 5 and letters:
        return None
    suffix = _suffix_offset(letters)
    if suffix is None:
        return None
    if n_digits == 5:
        # Fifth character is a digit: after "", the 24 single letters.
        tail = 1 + len(LETTERS) + DIGITS.index(digits[4])
        digits = digits[:4]
    elif n_digits == 4 and letters:
        if len(letters) > 1:
            return None  # only one character may follow four digits
        tail = 1 + LETTERS.index(letters)
    else:
        tail = -1
    offset = (int(digits[0]) - 1) * BUCKET1_SIZE
    for i, size in enumerate((BUCKET2_SIZE, BUCKET3_SIZE, BUCKET4_SIZE), start=1):
        if i >= len(digits):
            return FIRST_ADDRESS + offset + suffix
        offset += SUFFIX_SIZE + int(digits[i]) * size
    return FIRST_ADDRESS + offset + max(tail, 0)


def n_numbers(addresses: npt.ArrayLike) -> Str:
    """``n_number`` over an array of addresses (ints or hex text); "" outside the block."""
    arr = np.asarray(addresses).ravel()
    return np.array(
        [n_number(a.item() if hasattr(a, "item") else a) or "" for a in arr], dtype="<U6"
    )
