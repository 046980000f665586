"""Numbers, dates and times as people type them, whatever their keyboard.

A Chinese keyboard in full-width mode types ``３７．５``, ``１８：００`` or
``２０２６－１２－０３``; every parser of typed input reads it through ``typed`` first, so
each accepts what the ASCII form would be accepted as.
"""

from __future__ import annotations

import re
import unicodedata

# After ``typed``: ASCII digits only (other scripts' digits are not read as numbers here).
_DECIMAL = re.compile(r"^[-+]?\d{1,6}(?:\.\d{1,8})?$", re.ASCII)
_WHOLE = re.compile(r"^\d{1,6}$", re.ASCII)


def typed(text: str) -> str:
    """``text`` as an ASCII keyboard would have typed it (NFKC: full-width digits and
    signs become ASCII), without surrounding spaces."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_decimal(text: str) -> float | None:
    """``37.5``, also ``37,5`` (a European keyboard), ``37。5`` (the Chinese full stop,
    which NFKC keeps) and ``３７．５``; None for anything else."""
    plain = typed(text).replace(",", ".").replace("。", ".")
    return float(plain) if _DECIMAL.match(plain) else None


def parse_whole(text: str) -> int | None:
    """A count typed as ``12`` or ``１２``; None for anything else."""
    plain = typed(text)
    return int(plain) if _WHOLE.match(plain) else None
