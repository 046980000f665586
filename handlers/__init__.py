"""The Telegram interface: one module per flow, each with a ``register(app)``."""

from __future__ import annotations

from handlers import (
    acknowledge,
    admin,
    basics,
    checkin,
    directive_watch,
    directives,
    duty,
    invites,
    leave,
    members,
    menu,
    on_duty,
    roster,
    start,
    summary,
)
from handlers.common import MusterApp


def register(app: MusterApp) -> None:
    # Order matters inside the default group: flows first, catch-alls last. ✅ comes
    # before the flows: its pattern (ack:) is no flow's, and PTB checks each update against
    # the handlers in order, so the press a whole organisation makes at once is not
    # checked against every flow's conversation first.
    acknowledge.register(app)
    start.register(app)
    invites.register(app)
    directives.register(app)
    checkin.register(app)
    leave.register(app)
    roster.register(app)
    duty.register(app)
    on_duty.register(app)
    members.register(app)
    directive_watch.register(app)
    summary.register(app)
    admin.register(app)
    basics.register(app)
    menu.register(app)
    basics.register_fallbacks(app)
