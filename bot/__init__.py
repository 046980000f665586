"""Muster: a Telegram bot that mobilises the members of a hierarchical organisation."""

__version__ = "0.1.0"
