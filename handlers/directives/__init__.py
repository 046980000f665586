"""Screens of directives: composing, watching, acknowledging, answering a question."""

from __future__ import annotations

from bot.config import FeatureName
from bot.directives.schedule import DirectiveRenderers, directive_tick
from bot.services import Services
from handlers.directives import acknowledge, answer, compose, phone, watch
from handlers.kit.feature import Audience, Done, Feature, MenuCommand, Outbox, Tick


async def directive_step(tick: Tick) -> Done:
    return [("directive step", await directive_tick(tick.services, tick.bot, tick.delivery.paid))]


def directive_outbox(services: Services) -> Outbox:
    renderers = DirectiveRenderers(services)
    return Outbox(renderers.table(), renderers.prepare)


FEATURE = Feature(
    name=FeatureName.DIRECTIVES,
    # ✅ and a question's choices (qa:) come before every flow: their patterns are no
    # flow's, and PTB checks each update against the handlers in order, so the press a
    # whole organisation makes at once is not checked against every flow's conversation.
    first=(acknowledge.register, answer.register),
    flows=(compose.register, phone.register),
    screens=(watch.register,),
    schedule=directive_step,
    outbox=directive_outbox,
    commands=(
        MenuCommand("directive", "cmd-directive", Audience.SECRETARY, 30),
        MenuCommand("directives", "cmd-directives", Audience.WATCHER, 31),
    ),
    config=("directives",),
)
