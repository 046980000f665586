"""Secretaries' roster work in chat: ``/grids``, ``/assign``, ``/roster`` and a roster CSV
sent as a document. Rules live in ``bot/services/roster.py``."""

from __future__ import annotations

from handlers.common import MusterApp


def register(app: MusterApp) -> None:
    """Nothing yet."""
