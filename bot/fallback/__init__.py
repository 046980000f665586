"""Fallback channels for directives: email and an SMS gateway for those Telegram misses."""
