"""Screens of the organisation: joining, invites, admin commands, /me and /language."""
