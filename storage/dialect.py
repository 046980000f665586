"""The SQL that SQLite and PostgreSQL write differently, each construct in one place.

The repositories write portable SQL where the two stores share a form (COALESCE,
``ON CONFLICT DO NOTHING``, CASE, CAST, ``substr`` with positive arguments, RETURNING …)
and take the rest from ``db.dialect``: a fragment per construct, never a second copy of a
query. Stored times are TEXT in ``to_db_time``'s fixed-width UTC form and booleans INTEGER
0/1 on both, so ``active = 1`` and string comparisons of times are portable as they are.

Every fragment is plain text built from the SQL expressions it is given (column names,
``?``), so a statement built with it is the same string each time it is built: the
drivers' statement caches key on the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Dialect:
    name: Literal["sqlite", "postgresql"]

    @property
    def postgresql(self) -> bool:
        return self.name == "postgresql"

    def strpos(self, haystack: str, needle: str) -> str:
        """Where ``needle`` first starts in ``haystack`` (1-based), 0 when it does not."""
        name = "strpos" if self.postgresql else "instr"
        return f"{name}({haystack}, {needle})"

    def greatest(self, *values: str) -> str:
        """The largest of ``values`` (SQLite's scalar MAX). Not NULL-safe the same way:
        SQLite's is NULL when any value is, PostgreSQL's ignores NULLs; give non-NULLs."""
        joined = ", ".join(values)
        return f"GREATEST({joined})" if self.postgresql else f"MAX({joined})"

    def differs(self, a: str, b: str) -> str:
        """``a`` and ``b`` differ, NULL being a value like any other (SQLite's ``IS NOT``;
        PostgreSQL's ``IS NOT`` takes only NULL, TRUE or FALSE)."""
        return f"{a} IS DISTINCT FROM {b}" if self.postgresql else f"{a} IS NOT {b}"

    def same(self, a: str, b: str) -> str:
        """``a`` equals ``b``, NULL being a value like any other (SQLite's ``IS``)."""
        return f"{a} IS NOT DISTINCT FROM {b}" if self.postgresql else f"{a} IS {b}"

    @property
    def ordered_join(self) -> str:
        """An inner join SQLite must do in the order written (its CROSS JOIN, which takes
        an ON there); PostgreSQL's planner orders joins itself, and its CROSS JOIN has no
        ON."""
        return "JOIN" if self.postgresql else "CROSS JOIN"

    def scratch(self, name: str) -> str:
        """The name to create a working table of one's own under, dropped when done:
        SQLite's temp schema (only the connection that made it sees it, and it is never
        written to the database file); on PostgreSQL a plain table, since a pool's next
        transaction may come on another connection, which would not see a TEMP one."""
        return name if self.postgresql else f"temp.{name}"

    def unindexed(self, column: str) -> str:
        """``column`` in a term SQLite's planner must not answer from an index on it (a
        unary +); PostgreSQL's plans by its statistics, and groups only by a column as
        selected, so it gets the bare column."""
        return column if self.postgresql else f"+{column}"

    def string_agg(self, value: str, separator: str) -> str:
        """The aggregate joining ``value`` of a group's rows, in no promised order."""
        if self.postgresql:
            return f"string_agg({value}, {separator})"
        return f"group_concat({value}, {separator})"

    def equals_nocase(self, column: str, value: str = "?") -> str:
        """``column`` equals ``value`` ignoring ASCII case (SQLite's NOCASE collation);
        PostgreSQL has no such collation, so both sides are lowered (an index on
        ``lower(column)`` serves it)."""
        if self.postgresql:
            return f"lower({column}) = lower({value})"
        return f"{column} = {value} COLLATE NOCASE"

    def seconds_between(self, later: str, earlier: str) -> str:
        """Seconds from one stored time (``to_db_time`` text) to another, as a float."""
        if self.postgresql:
            return (
                f"CAST(EXTRACT(EPOCH FROM CAST({later} AS timestamptz)"
                f" - CAST({earlier} AS timestamptz)) AS DOUBLE PRECISION)"
            )
        return f"(julianday({later}) - julianday({earlier})) * 86400"

    def integer_part(self, value: str) -> str:
        """``value`` (a number) without its fraction, as an integer: SQLite's CAST
        truncates, PostgreSQL's rounds."""
        return f"CAST(trunc({value}) AS BIGINT)" if self.postgresql else f"CAST({value} AS INTEGER)"

    def json_text(self, column: str, *path: str) -> str:
        """The field at ``path`` (keys, literal) of the JSON text in ``column``, as text:
        compare it with a parameter given as ``str(value)``. NULL where there is none."""
        if self.postgresql:
            return f"(CAST({column} AS jsonb) #>> '{{{','.join(path)}}}')"
        return f"CAST(json_extract({column}, '$.{'.'.join(path)}') AS TEXT)"

    def json_text_of_key(self, column: str, key: str = "?") -> str:
        """``json_text`` for one top-level key given as an SQL expression (a parameter)."""
        if self.postgresql:
            return f"(CAST({column} AS jsonb) ->> {key})"
        return f"CAST(json_extract({column}, '$.' || {key}) AS TEXT)"

    def json_rows(self, array: str, types: Sequence[str]) -> tuple[str, list[str]]:
        """A FROM item over the JSON array of arrays ``array`` (a parameter) and the
        expressions of each row's items, typed ``types`` (SQL type names): a bulk insert's
        rows in one parameter. SQLite keeps the types JSON gives them; PostgreSQL reads
        text and casts, since an INSERT does not cast text to a number itself."""
        if self.postgresql:
            return "jsonb_array_elements(CAST(" + array + " AS jsonb)) AS j(value)", [
                f"CAST(value ->> {i} AS {kind})" for i, kind in enumerate(types)
            ]
        return f"json_each({array})", [f"json_extract(value, '$[{i}]')" for i in range(len(types))]


# A quoted string or identifier, a comment, or a placeholder (with its number, if any).
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?(\d*)", re.S)


def dollar_placeholders(sql: str) -> str:
    """``sql`` with SQLite's placeholders as PostgreSQL's: ``?NNN`` → ``$NNN`` and a bare
    ``?`` → one more than the largest number so far (SQLite's rule, so ``?5 … ?`` is
    ``$5 … $6``), outside quotes and comments. The repositories use both forms: a
    parameter used twice is written ``?3 … ?3``."""
    largest = 0

    def number(match: re.Match[str]) -> str:
        nonlocal largest
        if not match.group(0).startswith("?"):
            return match.group(0)
        n = int(match.group(1)) if match.group(1) else largest + 1
        largest = max(largest, n)
        return f"${n}"

    return _TOKEN.sub(number, sql)


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")
