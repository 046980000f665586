"""Numbers, dates and times as people type them, whatever their keyboard.

A Chinese keyboard in full-width mode types ``３７．５``, ``１８：００`` or
``２０２６－１２－０３``; every parser of typed input reads it through ``typed`` first, so
each accepts what the ASCII form would be accepted as.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

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


MAX_REASON = 500  # a few sentences; a secretary reads them in a list


class ReasonProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


def checked_reason(text: str) -> tuple[str, ReasonProblem | None]:
    """A reason as typed (an answer's, a secretary's after a call), its spaces folded;
    with what is wrong with it, if anything."""
    reason = " ".join(text.split())
    if not reason:
        return reason, ReasonProblem.EMPTY
    if len(reason) > MAX_REASON:
        return reason, ReasonProblem.TOO_LONG
    return reason, None
