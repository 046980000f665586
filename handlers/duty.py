"""Members on duty: ``/duty``, confirm / decline (with a reason), cover offers, Start duty
(with location), End duty (the report) and Report incident. Rules live in
``bot/services/duty.py``."""

from __future__ import annotations

from handlers.common import MusterApp


def register(app: MusterApp) -> None:
    """Nothing yet."""
