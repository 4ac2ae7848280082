"""A reader without an address: the address and the browser become a key salted per day.

A reader is the pair (address, user agent) on one day. The pair is hashed with a salt
drawn at random for that day when the report is made, kept in memory only and never
written anywhere, so the keys of one day cannot be joined with another day's, with
another run's, or turned back into an address. The report shows only counts.
"""

from __future__ import annotations

import hashlib
import secrets


class ReaderKeys:
    """``key(day, address, agent)`` → a 64-bit key, the same for one day of this run."""

    def __init__(self) -> None:
        self._salts: dict[int, bytes] = {}

    def key(self, day: int, address: str, agent: str) -> int:
        salt = self._salts.get(day)
        if salt is None:
            salt = self._salts[day] = secrets.token_bytes(16)
        digest = hashlib.blake2b(f"{address}\0{agent}".encode(errors="replace"), key=salt,
                                 digest_size=8).digest()
        return int.from_bytes(digest, "big")
