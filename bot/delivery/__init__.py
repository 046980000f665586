"""The delivery engine: the outbox worker and its pacer, replies sharing the pacer, the
Bot API transport."""
