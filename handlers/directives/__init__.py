"""Screens of directives: composing, watching, acknowledging, answering a question."""
