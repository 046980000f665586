"""The refusal a channel raises for a message (the tests of each channel's faults)."""

from __future__ import annotations

from bot.delivery.channels import Channel, ChannelError, ChannelMessage


async def refusal(channel: Channel, message: ChannelMessage) -> ChannelError:
    try:
        await channel.send(message)
    except ChannelError as error:
        return error
    raise AssertionError("the message was taken")
