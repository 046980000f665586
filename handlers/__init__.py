"""The Telegram interface: one folder per feature (and the shared ``kit``), one module per
flow, each with a ``register(app)``."""

from __future__ import annotations

from handlers.checkins import checkin, leave, members
from handlers.directives import acknowledge, answer, compose, watch
from handlers.duty import assign, grids, on_duty, roster, shifts, upload
from handlers.kit import menu
from handlers.kit.common import MusterApp
from handlers.org import admin, basics, invites, start
from handlers.summaries import summary


def register(app: MusterApp) -> None:
    # Order matters inside the default group: flows first, catch-alls last. ✅ comes
    # before the flows: its pattern (ack:) is no flow's, and PTB checks each update against
    # the handlers in order, so the press a whole organisation makes at once is not
    # checked against every flow's conversation first.
    acknowledge.register(app)
    answer.register(app)  # a question's choices (qa:), pressed as often as ✅
    start.register(app)
    invites.register(app)
    compose.register(app)
    checkin.register(app)
    leave.register(app)
    grids.register(app)
    assign.register(app)
    upload.register(app)
    roster.register(app)
    shifts.register(app)
    on_duty.register(app)
    members.register(app)
    watch.register(app)
    summary.register(app)
    admin.register(app)
    basics.register(app)
    menu.register(app)
    basics.register_fallbacks(app)
