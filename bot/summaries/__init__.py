"""Summaries for coordinators: text, chart and workbook, scheduled and on demand."""
