"""Screens of grid duty: /duty, starting and ending duty, the roster."""
