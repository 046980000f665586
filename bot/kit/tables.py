"""Tables as files people open in a spreadsheet: CSV (UTF-8 with BOM, so Excel reads
Chinese names right) and XLSX (xlsxwriter); and as aligned text for a terminal.

Cells hold what people typed (names, reasons, choice labels): a spreadsheet must show
them as text, never run them as formulas ("=HYPERLINK(…)" in a reason)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

import xlsxwriter

# A datetime is local and naive (spreadsheets have no timezones): the caller picks the zone.
Cell = str | int | float | datetime | date | None
Table = tuple[Sequence[str], Sequence[Sequence[Cell]]]
# What makes Excel, LibreOffice or Sheets read a CSV cell as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell: Cell) -> Cell:
    """A text cell a spreadsheet would read as a formula, quoted (a leading ') so it
    shows as typed; numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return "" if cell is None else cell


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_inert(cell) for cell in header])
    writer.writerows([_inert(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, Table]) -> bytes:
    """One worksheet per entry, bold frozen header with an autofilter (so filters and
    pivots work at once), dates and times as real spreadsheet values, columns sized to
    their content."""
    buffer = io.BytesIO()
    # Strings stay strings: xlsxwriter would otherwise write "=…" as a formula and
    # "http…" as a link.
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(buffer, options)
    bold = book.add_format({"bold": True})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, (header, rows) in sheets.items():
        sheet = book.add_worksheet(name[:31])  # Excel's limit on sheet names
        sheet.write_row(0, 0, header, bold)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(rows), max(len(header) - 1, 0))
        widths = [len(str(h)) for h in header]
        for index, row in enumerate(rows, start=1):
            for column, cell in enumerate(row):
                if isinstance(cell, datetime):  # before date: a datetime is a date too
                    sheet.write_datetime(index, column, cell, moment)
                elif isinstance(cell, date):
                    sheet.write_datetime(index, column, cell, day)
                else:
                    sheet.write(index, column, cell)
            widths = [max(w, len(str(c or ""))) for w, c in zip(widths, row, strict=False)]
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(max(width + 2, 8), 60))
    book.close()
    return buffer.getvalue()


def _width(text: str) -> int:
    """Terminal columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[str]:
    """Lines of left-aligned columns, two spaces apart, header first."""
    cells = [[str(h) for h in header]] + [
        ["" if cell is None else str(cell) for cell in row] for row in rows
    ]
    widths = [max(_width(line[i]) for line in cells) for i in range(len(header))]
    return [
        "  ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(line, widths, strict=True)
        ).rstrip()
        for line in cells
    ]


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without a byte-order mark), else GB18030 (what Chinese Excel saves);
    None for anything else, and for binary files that happen to decode."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text
    return None
