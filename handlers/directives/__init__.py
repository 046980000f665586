"""Screens of directives: composing, watching, acknowledging."""
