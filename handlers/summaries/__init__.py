"""Screens of summaries: /summary and /export."""
