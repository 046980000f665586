"""Screens of check-ins: the daily form, leave, /members."""
