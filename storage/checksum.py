"""A table's row count and checksum, the same whichever store holds the rows.

The checksum is over a canonical text of every row, which both stores give alike because it
is made from the values their drivers return (aiosqlite and asyncpg both give ``int``,
``str``, ``float`` and ``None`` for the schema's INTEGER/BIGINT, TEXT, REAL/DOUBLE PRECISION
columns and NULL):

- NULL: ``N``
- an integer: ``I`` and its decimal digits (``I-42``)
- a real: ``R`` and Python's ``repr`` of the double, the shortest text that reads back as
  the same double (``R37.5``, ``R37.0``, ``R1e-05``): a REAL holding 37 is ``R37.0`` on both
  stores, never ``I37``
- a text: ``T``, its length in characters, ``:`` and the text (``T3:Ann``), so no text can
  pass for two values
- bytes (no column holds any; for completeness): ``B`` and their hex

A row is its values' texts in the schema's column order, joined with nothing (each value's
text says where it ends). Its digest is the first 8 bytes of BLAKE2b over its UTF-8, read
as an unsigned integer; the table's checksum is the sum of its rows' digests modulo 2^64.
A sum does not depend on the order rows are read in (SQLite and PostgreSQL sort text
differently), and, unlike XOR, two equal rows do not cancel out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

_MASK = (1 << 64) - 1


def canonical(value: Any) -> str:
    """One value's canonical text (see the module's docstring)."""
    if value is None:
        return "N"
    if isinstance(value, str):
        return f"T{len(value)}:{value}"
    if isinstance(value, bool):  # an int too, but no column holds one
        raise TypeError("a boolean in a row: the schema stores flags as integers")
    if isinstance(value, int):
        return f"I{value}"
    if isinstance(value, float):
        return f"R{value!r}"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"B{bytes(value).hex()}"
    raise TypeError(f"no canonical text for a {type(value).__name__}")


def row_digest(row: Sequence[Any]) -> int:
    text = "".join(canonical(value) for value in row)
    # surrogatepass: a text SQLite stored from broken UTF-16 still hashes, as on both sides.
    return int.from_bytes(blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest())


@dataclass(frozen=True, slots=True)
class Tally:
    """A table's rows counted and checksummed."""

    rows: int = 0
    checksum: int = 0

    def add(self, rows: Iterable[Sequence[Any]]) -> Tally:
        count, total = self.rows, self.checksum
        for row in rows:
            count += 1
            total = (total + row_digest(row)) & _MASK
        return Tally(count, total)

    @property
    def hex(self) -> str:
        return f"{self.checksum:016x}"
